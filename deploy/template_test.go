package deploy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/cloudwatch"
	"github.com/awslabs/goformation/v7/cloudformation/serverless"

	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/customsms"
	"github.com/cognito-phone-otp/cognito-phone-otp/metrics"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	eump "github.com/cognito-phone-otp/cognito-phone-otp/providers/eum"
	snsp "github.com/cognito-phone-otp/cognito-phone-otp/providers/sns"
	twiliop "github.com/cognito-phone-otp/cognito-phone-otp/providers/twilio"
	"github.com/cognito-phone-otp/cognito-phone-otp/receipts"
	"github.com/cognito-phone-otp/cognito-phone-otp/routing"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/define"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/postauth"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/presignup"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/verify"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// function is one Lambda function of the template.
type function struct {
	id      string // logical id
	cmd     string // cmd/<cmd>
	trigger string // the user pool's LambdaConfig key; "" for the worker
	// condition is the template condition the function exists under; ""
	// for always.
	condition string
	// required are the variables its main refuses to start without.
	required []string
	// parse runs an environment through the parser its main calls.
	parse func(getenv func(string) string, environ []string) error
}

// parser adapts a function's ...FromEnv to function.parse.
func parser[S any](fromEnv func(func(string) string) (S, error)) func(func(string) string, []string) error {
	return func(getenv func(string) string, _ []string) error {
		_, err := fromEnv(getenv)
		return err
	}
}

var functions = []function{
	{"PreSignUpFunction", "pre-sign-up", "PreSignUp", "", nil, parser(presignup.FromEnv)},
	{"DefineAuthChallengeFunction", "define-auth-challenge", "DefineAuthChallenge", "", nil, parser(define.FromEnv)},
	{"CreateAuthChallengeFunction", "create-auth-challenge", "CreateAuthChallenge", "",
		[]string{config.EnvTable, config.EnvQueueURL, config.EnvSecret}, parser(triggers.CreateFromEnv)},
	{"VerifyAuthChallengeFunction", "verify-auth-challenge", "VerifyAuthChallengeResponse", "",
		[]string{config.EnvTable, config.EnvSecret}, parser(verify.FromEnv)},
	{"PostAuthenticationFunction", "post-authentication", "PostAuthentication", "",
		[]string{config.EnvTable}, parser(postauth.FromEnv)},
	{"SmsWorkerFunction", "sms-worker", "", "",
		[]string{config.EnvTable, config.EnvQueueURL, config.EnvSecret, worker.EnvDLQURL, worker.EnvProviders},
		func(getenv func(string) string, environ []string) error {
			_, err := worker.SettingsFromEnv(stackNamed(getenv), environ)
			return err
		}},
	{"SmsReceiptsFunction", "sms-receipts", "", "", []string{config.EnvTable}, parser(receipts.SettingsFromEnv)},
	{"CustomSmsSenderFunction", "custom-sms-sender", "CustomSMSSender", customSmsCondition,
		[]string{config.EnvTable, config.EnvQueueURL, config.EnvSecret, customsms.EnvKMSKeyARN},
		func(getenv func(string) string, environ []string) error {
			// CloudFormation puts the key's ARN where the test sees its GetAtt.
			_, err := customsms.FromEnv(func(k string) string {
				if v := getenv(k); v != customSmsKeyArn {
					return v
				}
				return exampleKeyARN
			})
			return err
		}},
}

// routingParameterARN is the SSM parameter of routing overrides, as the
// worker's policy names it.
const routingParameterARN = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${AWS::StackName}/sms-routing"

// stackNamed is getenv with the stack's name where CloudFormation puts it
// (the loader leaves pseudo parameters as ${AWS::StackName}).
func stackNamed(getenv func(string) string) func(string) string {
	return func(k string) string { return strings.ReplaceAll(getenv(k), "${AWS::StackName}", "otp-prod") }
}

const (
	// customSmsCondition is the condition of everything the CustomSmsSender
	// parameter adds.
	customSmsCondition = "UseCustomSmsSender"
	customSmsKeyArn    = "getatt:CustomSmsSenderKey.Arn"
	exampleKeyARN      = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

func fn(t *testing.T, tmpl *cloudformation.Template, id string) *serverless.Function {
	t.Helper()
	f, err := tmpl.GetServerlessFunctionWithName(id)
	if err != nil {
		t.Fatalf("function %s: %v", id, err)
	}
	return f
}

func forEachParamSet(t *testing.T, test func(t *testing.T, tmpl *cloudformation.Template, params map[string]any)) {
	for _, ps := range paramSets {
		t.Run(ps.name, func(t *testing.T) { test(t, load(t, ps.params), ps.params) })
	}
}

func TestOnlyTheExpectedFunctions(t *testing.T) {
	tmpl := load(t, nil)
	var got, want []string
	for id := range tmpl.GetAllServerlessFunctionResources() {
		got = append(got, id)
	}
	for _, f := range functions {
		want = append(want, f.id)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("functions %v, want %v", got, want)
	}
	if n := len(tmpl.GetAllLambdaFunctionResources()); n != 0 {
		t.Errorf("%d AWS::Lambda::Function resources; use AWS::Serverless::Function", n)
	}
}

func TestUserPool(t *testing.T) {
	tmpl := load(t, nil)
	pool, err := tmpl.GetCognitoUserPoolWithName("UserPool")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pool.UsernameAttributes, []string{"phone_number"}) {
		t.Errorf("UsernameAttributes %v, want [phone_number]", pool.UsernameAttributes)
	}
	if pool.AccountRecoverySetting == nil || len(pool.AccountRecoverySetting.RecoveryMechanisms) != 1 ||
		pool.AccountRecoverySetting.RecoveryMechanisms[0].Name == nil ||
		*pool.AccountRecoverySetting.RecoveryMechanisms[0].Name != "admin_only" {
		t.Error("AccountRecoverySetting must be admin_only alone: self-service recovery would send a Cognito SMS or e-mail")
	}
	if len(pool.AutoVerifiedAttributes) != 0 {
		t.Errorf("AutoVerifiedAttributes %v: Cognito would send its own SMS", pool.AutoVerifiedAttributes)
	}
	if pool.SmsConfiguration != nil {
		t.Error("SmsConfiguration set: Cognito must not send SMS")
	}
	if pool.MfaConfiguration != nil && *pool.MfaConfiguration != "OFF" {
		t.Errorf("MfaConfiguration %q: SMS MFA would send Cognito SMS", *pool.MfaConfiguration)
	}
	lc := pool.LambdaConfig
	if lc == nil {
		t.Fatal("no LambdaConfig")
	}
	got := map[string]*string{
		"PreSignUp":                   lc.PreSignUp,
		"DefineAuthChallenge":         lc.DefineAuthChallenge,
		"CreateAuthChallenge":         lc.CreateAuthChallenge,
		"VerifyAuthChallengeResponse": lc.VerifyAuthChallengeResponse,
		"PostAuthentication":          lc.PostAuthentication,
	}
	for _, f := range functions {
		if f.trigger == "" || f.condition != "" {
			continue // conditional triggers: TestCustomSmsSenderWiring
		}
		want := "getatt:" + f.id + ".Arn"
		if v := got[f.trigger]; v == nil || *v != want {
			t.Errorf("LambdaConfig.%s = %v, want %s", f.trigger, deref(v), want)
		}
	}
	for name, v := range map[string]any{
		"CustomMessage": lc.CustomMessage, "CustomEmailSender": lc.CustomEmailSender,
		"PreAuthentication": lc.PreAuthentication, "PostConfirmation": lc.PostConfirmation,
		"PreTokenGeneration": lc.PreTokenGeneration, "UserMigration": lc.UserMigration,
	} {
		if !isNil(v) {
			t.Errorf("LambdaConfig.%s is set; the template wires only the five triggers and the Custom SMS Sender", name)
		}
	}
}

func TestInvokePermissions(t *testing.T) {
	tmpl := load(t, nil)
	perms := tmpl.GetAllLambdaPermissionResources()
	for _, f := range functions {
		if f.trigger == "" {
			continue
		}
		n := 0
		for id, p := range perms {
			if p.FunctionName != "getatt:"+f.id+".Arn" && p.FunctionName != "ref:"+f.id {
				continue
			}
			n++
			if p.Action != "lambda:InvokeFunction" || p.Principal != "cognito-idp.amazonaws.com" {
				t.Errorf("%s: %s for %s, want lambda:InvokeFunction for cognito-idp.amazonaws.com", id, p.Action, p.Principal)
			}
			if deref(p.SourceArn) != "getatt:UserPool.Arn" {
				t.Errorf("%s: SourceArn %s, want the user pool's ARN", id, deref(p.SourceArn))
			}
			if p.AWSCloudFormationCondition != f.condition {
				t.Errorf("%s: condition %q, want its function's %q", id, p.AWSCloudFormationCondition, f.condition)
			}
		}
		if n != 1 {
			t.Errorf("%s: %d invoke permissions, want 1", f.id, n)
		}
	}
	cognito := 0
	for id, p := range perms {
		switch p.Principal {
		case "cognito-idp.amazonaws.com":
			cognito++
		case "logs.amazonaws.com":
			// SNS's delivery status logs and End User Messaging's event
			// log group, and only them, may invoke the receipts function.
			want := map[string]string{
				"SnsDeliveryLogsInvokePermission": ":log-group:sns/${AWS::Region}/${AWS::AccountId}/DirectPublishToPhoneNumber*",
				"EumEventsInvokePermission":       ":log-group::*", // EumEventsLogGroup's default, "": the condition leaves it out
			}[id]
			if want == "" || p.FunctionName != "getatt:SmsReceiptsFunction.Arn" || !strings.HasSuffix(deref(p.SourceArn), want) {
				t.Errorf("%s: logs may invoke %s from %s", id, p.FunctionName, deref(p.SourceArn))
			}
			if id == "EumEventsInvokePermission" && p.AWSCloudFormationCondition != "EumReceipts" {
				t.Errorf("%s: condition %q, want EumReceipts", id, p.AWSCloudFormationCondition)
			}
		default:
			t.Errorf("%s: invoke permission for %s", id, p.Principal)
		}
	}
	if cognito != 6 {
		t.Errorf("%d Lambda permissions for Cognito, want 6 (one per trigger)", cognito)
	}
}

func TestAppClient(t *testing.T) {
	forEachParamSet(t, func(t *testing.T, tmpl *cloudformation.Template, params map[string]any) {
		clients := tmpl.GetAllCognitoUserPoolClientResources()
		if len(clients) != 1 {
			t.Fatalf("%d app clients, want 1", len(clients))
		}
		for id, c := range clients {
			if c.UserPoolId != "ref:UserPool" {
				t.Errorf("%s: UserPoolId %s", id, c.UserPoolId)
			}
			want := []string{"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
			if got := slices.Sorted(slices.Values(c.ExplicitAuthFlows)); !slices.Equal(got, want) {
				t.Errorf("%s: ExplicitAuthFlows %v, want exactly %v (a password flow makes the generated password a way in)", id, got, want)
			}
			if c.GenerateSecret == nil || *c.GenerateSecret {
				t.Errorf("%s: GenerateSecret must be false (public mobile and web clients)", id)
			}
			if deref(c.PreventUserExistenceErrors) != "ENABLED" {
				t.Errorf("%s: PreventUserExistenceErrors %q, want ENABLED", id, deref(c.PreventUserExistenceErrors))
			}
			if len(c.AllowedOAuthFlows) != 0 {
				t.Errorf("%s: OAuth flows %v offer other ways in", id, c.AllowedOAuthFlows)
			}
			// AuthSessionValidity is what OTP_SESSION_VALIDITY tells the functions.
			if c.AuthSessionValidity == nil {
				t.Fatalf("%s: no AuthSessionValidity", id)
			}
			mins := *c.AuthSessionValidity
			if mins < 3 || mins > 15 {
				t.Errorf("%s: AuthSessionValidity %d, Cognito takes 3 to 15 minutes", id, mins)
			}
			for _, f := range functions {
				env := envOf(t, fn(t, tmpl, f.id))
				if !f.reads(env)[triggers.EnvSessionValidity] {
					continue // a function that never weighs a session's life
				}
				if want := fmt.Sprintf("%dm", mins); env[triggers.EnvSessionValidity] != want {
					t.Errorf("%s: %s=%q, want %q (the app client's AuthSessionValidity)", f.id, triggers.EnvSessionValidity, env[triggers.EnvSessionValidity], want)
				}
			}
		}
	})
}

func TestTable(t *testing.T) {
	tmpl := load(t, nil)
	tables := tmpl.GetAllDynamoDBTableResources()
	tbl, ok := tables["OtpTable"]
	if !ok || len(tables) != 1 {
		t.Fatalf("want one table OtpTable, have %d", len(tables))
	}
	want := dynamo.CreateTableInput("x")
	if deref(tbl.BillingMode) != string(want.BillingMode) {
		t.Errorf("BillingMode %q, want %s", deref(tbl.BillingMode), want.BillingMode)
	}
	if len(tbl.KeySchema) != 1 || tbl.KeySchema[0].AttributeName != dynamo.AttrPK || tbl.KeySchema[0].KeyType != "HASH" {
		t.Errorf("KeySchema %+v, want %s HASH alone", tbl.KeySchema, dynamo.AttrPK)
	}
	if len(tbl.AttributeDefinitions) != 1 || tbl.AttributeDefinitions[0].AttributeName != dynamo.AttrPK || tbl.AttributeDefinitions[0].AttributeType != "S" {
		t.Errorf("AttributeDefinitions %+v, want %s S", tbl.AttributeDefinitions, dynamo.AttrPK)
	}
	if ttl := tbl.TimeToLiveSpecification; ttl == nil || deref(ttl.AttributeName) != dynamo.AttrTTL || !ttl.Enabled {
		t.Errorf("TimeToLiveSpecification %+v, want %s enabled", ttl, dynamo.AttrTTL)
	}
	if p := tbl.PointInTimeRecoverySpecification; p == nil || p.PointInTimeRecoveryEnabled == nil || !*p.PointInTimeRecoveryEnabled {
		t.Error("point-in-time recovery is off")
	}
	if s := tbl.SSESpecification; s == nil || !s.SSEEnabled {
		t.Error("SSESpecification.SSEEnabled is not true")
	}
}

func TestQueues(t *testing.T) {
	tmpl := load(t, nil)
	queues := tmpl.GetAllSQSQueueResources()
	// SmsReceiptsDeadLetterQueue: the receipts function's on-failure
	// destination (TestReceiptsOnFailureDestination).
	if len(queues) != 3 {
		t.Fatalf("%d queues, want SmsQueue, SmsDeadLetterQueue and SmsReceiptsDeadLetterQueue", len(queues))
	}
	for id, q := range queues {
		if q.SqsManagedSseEnabled == nil || !*q.SqsManagedSseEnabled {
			if q.KmsMasterKeyId == nil {
				t.Errorf("%s: not encrypted", id)
			}
		}
		if q.FifoQueue != nil && *q.FifoQueue {
			t.Errorf("%s: FIFO; the queue is a standard queue", id)
		}
	}
	q, ok := queues["SmsQueue"]
	if !ok {
		t.Fatal("no SmsQueue")
	}
	var redrive struct {
		DeadLetterTargetArn string  `json:"deadLetterTargetArn"`
		MaxReceiveCount     float64 `json:"maxReceiveCount"`
	}
	b, _ := json.Marshal(q.RedrivePolicy)
	if err := json.Unmarshal(b, &redrive); err != nil {
		t.Fatalf("RedrivePolicy %s: %v", b, err)
	}
	if redrive.DeadLetterTargetArn != "getatt:SmsDeadLetterQueue.Arn" {
		t.Errorf("redrive target %q, want SmsDeadLetterQueue", redrive.DeadLetterTargetArn)
	}
	// The worker dead-letters after WORKER_MAX_ATTEMPTS (at most 20) counted
	// attempts; SQS's count also grows with every uncounted deferral, so it
	// must sit far above (README: 1000, the maximum).
	if redrive.MaxReceiveCount < 5 || redrive.MaxReceiveCount < 100 || redrive.MaxReceiveCount > 1000 {
		t.Errorf("maxReceiveCount %v, want >= 100 (far above the worker's attempts) and <= 1000", redrive.MaxReceiveCount)
	}
	worker := fn(t, tmpl, "SmsWorkerFunction")
	if q.VisibilityTimeout == nil || worker.Timeout == nil || *q.VisibilityTimeout < 6**worker.Timeout {
		t.Errorf("VisibilityTimeout %v, want at least 6x the worker's timeout %v", deref(q.VisibilityTimeout), deref(worker.Timeout))
	}
	// A job must outlive the longest code (15 min) in the queue.
	if q.MessageRetentionPeriod != nil && *q.MessageRetentionPeriod < 15*60 {
		t.Errorf("MessageRetentionPeriod %d s is shorter than the longest code life", *q.MessageRetentionPeriod)
	}
}

func TestWorkerEventSource(t *testing.T) {
	forEachParamSet(t, func(t *testing.T, tmpl *cloudformation.Template, params map[string]any) {
		esms := tmpl.GetAllLambdaEventSourceMappingResources()
		if len(esms) != 1 {
			t.Fatalf("%d event source mappings, want 1", len(esms))
		}
		if ev := fn(t, tmpl, "SmsWorkerFunction").Events; len(ev) != 0 {
			t.Errorf("SmsWorkerFunction has SAM Events %v as well: the queue would feed it twice", ev)
		}
		for id, m := range esms {
			if deref(m.EventSourceArn) != "getatt:SmsQueue.Arn" || m.FunctionName != "ref:SmsWorkerFunction" {
				t.Errorf("%s: %s -> %s, want SmsQueue -> SmsWorkerFunction", id, deref(m.EventSourceArn), m.FunctionName)
			}
			if b := deref(m.BatchSize); b < 1 || b > 10 {
				t.Errorf("%s: BatchSize %d, want 1 to 10", id, b)
			}
			if w := m.MaximumBatchingWindowInSeconds; w == nil || *w > 5 {
				t.Errorf("%s: MaximumBatchingWindowInSeconds %v, want a small window (<= 5 s): codes expire", id, deref(w))
			}
			if !slices.Equal(m.FunctionResponseTypes, []string{"ReportBatchItemFailures"}) {
				t.Errorf("%s: FunctionResponseTypes %v, want [ReportBatchItemFailures]", id, m.FunctionResponseTypes)
			}
			if m.ScalingConfig == nil || m.ScalingConfig.MaximumConcurrency == nil {
				t.Fatalf("%s: no ScalingConfig.MaximumConcurrency: the global send rate would be unbounded", id)
			}
			if c := *m.ScalingConfig.MaximumConcurrency; c < 2 || c > 1000 {
				t.Errorf("%s: MaximumConcurrency %d, SQS takes 2 to 1000", id, c)
			}
			if want, ok := params["WorkerMaxConcurrency"]; ok && *m.ScalingConfig.MaximumConcurrency != want {
				t.Errorf("%s: MaximumConcurrency %d, want the parameter's %v", id, *m.ScalingConfig.MaximumConcurrency, want)
			}
		}
	})
}

func TestFunctionsRuntime(t *testing.T) {
	forEachParamSet(t, func(t *testing.T, tmpl *cloudformation.Template, params map[string]any) {
		for _, f := range functions {
			r := fn(t, tmpl, f.id)
			if deref(r.Runtime) != "provided.al2023" || !slices.Equal(r.Architectures, []string{"arm64"}) || deref(r.Handler) != "bootstrap" {
				t.Errorf("%s: %s %v %s, want provided.al2023 [arm64] bootstrap", f.id, deref(r.Runtime), r.Architectures, deref(r.Handler))
			}
			if r.CodeUri == nil || deref(r.CodeUri.String) != "." || r.AWSCloudFormationMetadata["BuildMethod"] != "makefile" {
				t.Errorf("%s: want CodeUri . and Metadata BuildMethod makefile (Makefile target build-%s)", f.id, f.id)
			}
			if r.Timeout == nil {
				t.Errorf("%s: no Timeout", f.id)
				continue
			}
			if f.trigger != "" {
				if *r.Timeout > 5 {
					t.Errorf("%s: Timeout %d s; Cognito waits 5 s for a trigger", f.id, *r.Timeout)
				}
				reserve := 10
				if v, ok := params["TriggerReservedConcurrency"].(int); ok {
					reserve = v
				}
				switch {
				case reserve == 0 && r.ReservedConcurrentExecutions != nil:
					t.Errorf("%s: ReservedConcurrentExecutions %d with the parameter 0 (0 would throttle every call)", f.id, *r.ReservedConcurrentExecutions)
				case reserve > 0 && deref(r.ReservedConcurrentExecutions) != reserve:
					t.Errorf("%s: ReservedConcurrentExecutions %v, want %d", f.id, deref(r.ReservedConcurrentExecutions), reserve)
				}
			} else {
				if *r.Timeout > 10 {
					t.Errorf("%s: Timeout %d s, want at most 10 (README's timings)", f.id, *r.Timeout)
				}
				if f.id == "SmsReceiptsFunction" {
					// Its URL is public: a flood of forged callbacks takes
					// at most this much of the account's concurrency.
					reserve := 5
					if v, ok := params["ReceiptsReservedConcurrency"].(int); ok {
						reserve = v
					}
					if got := r.ReservedConcurrentExecutions; reserve == 0 && got != nil || reserve > 0 && deref(got) != reserve {
						t.Errorf("%s: ReservedConcurrentExecutions %v, want %d (0: none)", f.id, deref(got), reserve)
					}
					continue
				}
				if r.ReservedConcurrentExecutions != nil {
					t.Errorf("%s: reserved concurrency; MaximumConcurrency bounds the worker", f.id)
				}
			}
		}
	})
}

// permission is one allowed action on one resource.
type permission struct{ action, resource string }

func permissionsOf(t *testing.T, f *serverless.Function) []permission {
	t.Helper()
	if f.Policies == nil {
		return nil
	}
	// goformation tries each form of the union; a list of documents leaves
	// StringArray holding empty strings.
	if f.Policies.String != nil || f.Policies.StringArray != nil && slices.ContainsFunc(*f.Policies.StringArray, func(s string) bool { return s != "" }) {
		t.Errorf("managed policy names or SAM policy templates in %+v: write the statements out", f.Policies)
	}
	if f.Policies.IAMPolicyDocumentArray == nil {
		t.Fatalf("Policies not a list of policy documents")
	}
	var out []permission
	for _, doc := range *f.Policies.IAMPolicyDocumentArray {
		for _, raw := range doc.Statement {
			if raw == nil { // !If [cond, statement, !Ref AWS::NoValue]
				continue
			}
			st, ok := raw.(map[string]any)
			if !ok {
				t.Errorf("statement %v is not an object", raw)
				continue
			}
			if st["Effect"] != "Allow" {
				t.Errorf("statement %v: Effect %v", st, st["Effect"])
			}
			for _, key := range []string{"NotAction", "NotResource", "Principal"} {
				if _, ok := st[key]; ok {
					t.Errorf("statement %v uses %s", st, key)
				}
			}
			for _, a := range strList(st["Action"]) {
				for _, r := range strList(st["Resource"]) {
					out = append(out, permission{a, r})
				}
			}
		}
	}
	return out
}

func strList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if e != nil { // !If [cond, resource, !Ref AWS::NoValue]
				out = append(out, fmt.Sprint(e))
			}
		}
		return out
	}
	return []string{fmt.Sprint(v)}
}

func TestLeastPrivilege(t *testing.T) {
	const (
		table = "getatt:OtpTable.Arn"
		queue = "getatt:SmsQueue.Arn"
		dlq   = "getatt:SmsDeadLetterQueue.Arn"
		pools = "arn:${AWS::Partition}:cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/*"
	)
	forEachParamSet(t, func(t *testing.T, tmpl *cloudformation.Template, params map[string]any) {
		secret := "ref:OtpSecret"
		if v, _ := params["ExistingOtpSecretArn"].(string); v != "" {
			secret = v
		}
		want := map[string][]permission{
			"PreSignUpFunction":           nil,
			"DefineAuthChallengeFunction": nil,
			"CreateAuthChallengeFunction": {
				{"dynamodb:GetItem", table}, {"dynamodb:PutItem", table}, {"dynamodb:UpdateItem", table},
				{"sqs:SendMessage", queue}, {"secretsmanager:GetSecretValue", secret},
			},
			"VerifyAuthChallengeFunction": {
				{"dynamodb:GetItem", table}, {"dynamodb:UpdateItem", table}, {"secretsmanager:GetSecretValue", secret},
			},
			"PostAuthenticationFunction": {
				{"dynamodb:GetItem", table}, {"cognito-idp:AdminUpdateUserAttributes", pools},
			},
			"SmsWorkerFunction": {
				{"dynamodb:GetItem", table}, {"dynamodb:PutItem", table}, {"dynamodb:UpdateItem", table},
				{"sqs:ReceiveMessage", queue}, {"sqs:DeleteMessage", queue},
				{"sqs:ChangeMessageVisibility", queue}, {"sqs:GetQueueAttributes", queue},
				{"sqs:SendMessage", dlq}, {"sqs:SendMessage", queue}, {"sns:Publish", "*"},
				{"secretsmanager:GetSecretValue", secret},
				// The delivery tallies the router ranks providers by.
				{"dynamodb:BatchGetItem", table},
			},
			// SendMessage: the on-failure destination of its asynchronous
			// (CloudWatch Logs) invocations, which Lambda sends with its role.
			"SmsReceiptsFunction": {{"dynamodb:GetItem", table}, {"dynamodb:UpdateItem", table}, {"sqs:SendMessage", "getatt:SmsReceiptsDeadLetterQueue.Arn"}},
			// PutItem and UpdateItem: the record and the caps in one
			// TransactWriteItems; GetItem: a retry's record.
			"CustomSmsSenderFunction": {
				{"dynamodb:GetItem", table}, {"dynamodb:PutItem", table}, {"dynamodb:UpdateItem", table},
				{"sqs:SendMessage", queue}, {"secretsmanager:GetSecretValue", secret},
				{"kms:Decrypt", customSmsKeyArn},
			},
		}
		if arn, _ := params["EumOriginationIdentityArn"].(string); arn != "" {
			// SendTextMessage on the identity, the configuration set, the
			// protect configuration and the account's opt-out lists only.
			resources := []string{arn, "arn:${AWS::Partition}:sms-voice:${AWS::Region}:${AWS::AccountId}:opt-out-list/*"}
			if cs, _ := params["EumConfigurationSetArn"].(string); cs != "" {
				resources = append(resources, cs)
			}
			if id, _ := params["EumProtectConfigurationId"].(string); id != "" {
				resources = append(resources, "arn:${AWS::Partition}:sms-voice:${AWS::Region}:${AWS::AccountId}:protect-configuration/"+id)
			}
			for _, r := range resources {
				want["SmsWorkerFunction"] = append(want["SmsWorkerFunction"], permission{"sms-voice:SendTextMessage", r})
			}
		}
		if arn, _ := params["TwilioAuthTokenSecretArn"].(string); arn != "" {
			want["SmsWorkerFunction"] = append(want["SmsWorkerFunction"], permission{"secretsmanager:GetSecretValue", arn})
			if url, _ := params["TwilioStatusCallbackUrl"].(string); url != "" {
				want["SmsReceiptsFunction"] = append(want["SmsReceiptsFunction"], permission{"secretsmanager:GetSecretValue", arn})
			}
		}
		if params["SmsRoutingOverrides"] != "Off" {
			want["SmsWorkerFunction"] = append(want["SmsWorkerFunction"], permission{"ssm:GetParameter", routingParameterARN})
		}
		reWildAction := regexp.MustCompile(`\*`)
		for _, f := range functions {
			r := fn(t, tmpl, f.id)
			got := permissionsOf(t, r)
			for _, p := range got {
				if reWildAction.MatchString(p.action) {
					t.Errorf("%s: wildcard action %q", f.id, p.action)
				}
				if p.resource == "*" && p.action != "sns:Publish" {
					t.Errorf("%s: %s on Resource \"*\"; only sns:Publish (SMS to a number has no ARN) may", f.id, p.action)
				}
			}
			cmp := func(a, b permission) int { return strings.Compare(a.action+" "+a.resource, b.action+" "+b.resource) }
			slices.SortFunc(got, cmp)
			w := slices.Clone(want[f.id])
			slices.SortFunc(w, cmp)
			if !slices.Equal(got, w) {
				t.Errorf("%s permissions:\n got  %v\n want %v", f.id, got, w)
			}
			if r.Role != nil || r.PermissionsBoundary != nil && *r.PermissionsBoundary == "" {
				t.Errorf("%s: explicit Role; SAM's role with the statements above is the contract", f.id)
			}
		}
	})
}

// allowedEnv is every variable the Go code reads, from its constants.
func allowedEnv() map[string]bool {
	names := []string{
		config.EnvTable, config.EnvQueueURL, config.EnvSecret, config.EnvSecretCacheTTL, config.EnvLogLevel,
		triggers.EnvCodeLength, triggers.EnvCodeTTL, triggers.EnvMaxAttempts, triggers.EnvResendCooldown,
		triggers.EnvSessionValidity, triggers.EnvAllowedCountry, presignup.EnvAllowVoIP,
		triggers.EnvCapPhone15m, triggers.EnvCapPhoneDay, triggers.EnvCapCountryHour, triggers.EnvCapGlobalHour,
		triggers.EnvCounterShards, triggers.EnvDefaultLocale, triggers.EnvDeadline,
		triggers.EnvTestNumbers,
		worker.EnvDLQURL, worker.EnvProviders, worker.EnvRoutes, worker.EnvRateMaxWait,
		worker.EnvBreakerFailures, worker.EnvBreakerCooldown, worker.EnvDomain, worker.EnvAppHash,
		worker.EnvPrices, worker.EnvMaxSendAttempts, worker.EnvClaimStale,
		worker.EnvBackoffBase, worker.EnvBackoffMax, worker.EnvSendTimeout, worker.EnvConcurrency,
		worker.EnvDeliveryTimeout, worker.EnvMaxSends, worker.EnvResendMinLife,
		snsp.EnvSenderID, snsp.EnvOriginationNumber, snsp.EnvMaxPrice, snsp.EnvDLTEntityID, snsp.EnvDLTTemplateID,
		twiliop.EnvAccountSID, twiliop.EnvFrom, twiliop.EnvMessagingServiceSID, twiliop.EnvStatusCallback,
		twiliop.EnvRegion, twiliop.EnvEdge,
		twiliop.EnvAuthTokenSecret,
		twiliop.EnvWhatsAppFrom, twiliop.EnvWhatsAppMessagingServiceSID, twiliop.EnvWhatsAppContentSIDs,
		eump.EnvOriginationIdentity, eump.EnvConfigurationSet, eump.EnvProtectConfigurationID,
		eump.EnvMaxPrice, eump.EnvDLTEntityID, eump.EnvDLTTemplateID,
		triggers.EnvChannelAttr,
		customsms.EnvKMSKeyARN, customsms.EnvDeliveryWindow, customsms.EnvUserPoolID,
		routing.EnvParameter,
		// Deliberately absent: twilio.EnvAuthToken (the token goes by
		// reference, TWILIO_AUTH_TOKEN_SECRET), CONSOLE_OUTBOX and
		// TWILIO_API_BASE_URL (local use).
	}
	for _, p := range worker.KnownProviders {
		names = append(names, worker.EnvRatePrefix+strings.ToUpper(p))
	}
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

func envOf(t *testing.T, f *serverless.Function) map[string]string {
	t.Helper()
	if f.Environment == nil {
		return map[string]string{}
	}
	return f.Environment.Variables
}

// TestEachFunctionGetsOnlyWhatItReads: a function's environment in the
// template holds only variables it reads, so a setting changed for one
// function is never a redeploy of another; and a variable it reads that
// the template sets for any function, it gets too, with the same value
// (Define counting attempts by another OTP_MAX_ATTEMPTS than Create's would
// be a silent default).
func TestEachFunctionGetsOnlyWhatItReads(t *testing.T) {
	forEachParamSet(t, func(t *testing.T, tmpl *cloudformation.Template, _ map[string]any) {
		envs := map[string]map[string]string{}
		setBy := map[string]string{} // variable -> a function the template sets it for
		for _, f := range functions {
			envs[f.id] = envOf(t, fn(t, tmpl, f.id))
			for name := range envs[f.id] {
				setBy[name] = f.id
			}
		}
		for _, f := range functions {
			env, read := envs[f.id], f.reads(envs[f.id])
			for name := range read {
				other, ok := setBy[name]
				if !ok {
					continue // left to its default everywhere
				}
				if got, has := env[name]; !has || got != envs[other][name] {
					t.Errorf("%s reads %s but gets %q, where %s gets %q", f.id, name, got, other, envs[other][name])
				}
			}
			for name := range env {
				if !read[name] {
					t.Errorf("%s gets %s, which its function does not read", f.id, name)
				}
			}
		}
	})
}

// reads is the set of variables f's parser reads, given env; for the
// worker, also what its wiring reads per provider (cmd/sms-worker/wire.go).
func (f function) reads(env map[string]string) map[string]bool {
	read := map[string]bool{}
	getenv := func(k string) string { read[k] = true; return env[k] }
	var environ []string // what a prefix (SMS_RATE_, SMS_TEMPLATE_) reads
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	_ = f.parse(getenv, environ)
	if f.id == "SmsWorkerFunction" {
		snsp.ConfigFromEnv(getenv)
		twiliop.ConfigFromEnv(getenv)
		twiliop.WhatsAppConfigFromEnv(getenv)
		eump.ConfigFromEnv(getenv)
		getenv(twiliop.EnvAuthTokenSecret)
		for k := range env { // the settings scan the environment for these
			if strings.HasPrefix(k, worker.EnvRatePrefix) || strings.HasPrefix(k, worker.EnvTemplatePrefix) {
				read[k] = true
			}
		}
	}
	return read
}

func TestEnvironment(t *testing.T) {
	allowed := allowedEnv()
	forEachParamSet(t, func(t *testing.T, tmpl *cloudformation.Template, params map[string]any) {
		for _, f := range functions {
			env := envOf(t, fn(t, tmpl, f.id))
			for name := range env {
				if !allowed[name] && !strings.HasPrefix(name, worker.EnvTemplatePrefix) {
					t.Errorf("%s: %s is not a variable the code reads", f.id, name)
				}
			}
			for _, name := range f.required {
				if strings.TrimSpace(env[name]) == "" {
					t.Errorf("%s: required %s is not set", f.id, name)
				}
			}
			getenv := func(k string) string { return env[k] }
			var environ []string
			for k, v := range env {
				environ = append(environ, k+"="+v)
			}
			// The parser its main calls: every variable it reads, at once.
			if err := f.parse(getenv, environ); err != nil {
				t.Errorf("%s: %v", f.id, err)
				continue
			}
			if v, ok := env[config.EnvSecret]; ok && !strings.HasPrefix(v, "secretsmanager:") {
				t.Errorf("%s: %s=%q, want secretsmanager:<arn>", f.id, config.EnvSecret, v)
			}
			if f.id != "SmsWorkerFunction" {
				continue
			}
			wc, err := worker.SettingsFromEnv(stackNamed(getenv), environ)
			if err != nil {
				t.Fatal(err) // parsed above
			}
			uses := map[string]bool{}
			for _, p := range wc.Providers {
				uses[p] = true
			}
			for _, list := range wc.Routes {
				for _, p := range list {
					uses[p] = true
				}
			}
			if uses["sns"] {
				if err := snsp.ConfigFromEnv(getenv).Validate(); err != nil {
					t.Errorf("worker: sns settings: %v", err)
				}
			}
			if uses["whatsapp"] {
				wa := twiliop.WhatsAppConfigFromEnv(getenv)
				wa.Account.AuthToken = "0123456789abcdef0123456789abcdef" // read from the secret at start-up
				if err := wa.Validate(); err != nil {
					t.Errorf("worker: whatsapp settings: %v", err)
				}
			}
			if uses["eum"] {
				if err := eump.ConfigFromEnv(getenv).Validate(); err != nil {
					t.Errorf("worker: eum settings: %v", err)
				}
			}
			if uses["twilio"] {
				spec := env[twiliop.EnvAuthTokenSecret]
				if !strings.HasPrefix(spec, "secretsmanager:arn:") {
					t.Errorf("worker: %s=%q, want secretsmanager:<arn>", twiliop.EnvAuthTokenSecret, spec)
				}
				tc := twiliop.ConfigFromEnv(getenv)
				tc.AuthToken = "0123456789abcdef0123456789abcdef" // read from the secret at start-up
				if err := tc.Validate(); err != nil {
					t.Errorf("worker: twilio settings: %v", err)
				}
			}
		}
	})
}

func TestParameterValuesMeetTheirConstraints(t *testing.T) {
	base := load(t, nil)
	for _, ps := range paramSets {
		t.Run(ps.name, func(t *testing.T) {
			for name, v := range ps.params {
				if _, ok := base.Parameters[name]; !ok {
					t.Errorf("the test sets %s=%v, which the template does not have", name, v)
				}
			}
			for name, p := range base.Parameters {
				v, ok := ps.params[name]
				if !ok {
					v = p.Default
				}
				if v == nil {
					t.Errorf("%s: no default; guided deploys need one", name)
					continue
				}
				s := fmt.Sprint(v)
				if p.AllowedPattern != nil && !regexp.MustCompile(*p.AllowedPattern).MatchString(s) {
					t.Errorf("%s: %q does not match its AllowedPattern %s", name, s, *p.AllowedPattern)
				}
				if len(p.AllowedValues) > 0 && !slices.ContainsFunc(p.AllowedValues, func(a any) bool { return fmt.Sprint(a) == s }) {
					t.Errorf("%s: %q not among %v", name, s, p.AllowedValues)
				}
				if p.Type == "Number" {
					f, err := strconv.ParseFloat(s, 64)
					switch {
					case err != nil:
						t.Errorf("%s: %q is not a number", name, s)
					case p.MinValue != nil && f < *p.MinValue, p.MaxValue != nil && f > *p.MaxValue:
						t.Errorf("%s: %v outside [%v, %v]", name, f, deref(p.MinValue), deref(p.MaxValue))
					}
				}
			}
		})
	}
}

var reSecretName = regexp.MustCompile(`(?i)secret|token|password|pepper|apikey|credential`)

// reSecretLike is a value that could be a credential: a long run of
// letters, digits and base64/hex punctuation with no spaces.
var reSecretLike = regexp.MustCompile(`^[A-Za-z0-9+/=_-]{20,}$`)

func TestNoLiteralSecrets(t *testing.T) {
	tmpl := load(t, nil)
	for name, p := range tmpl.Parameters {
		if reSecretName.MatchString(name) {
			byRef := p.AllowedPattern != nil && strings.HasPrefix(strings.TrimPrefix(*p.AllowedPattern, "^("), "arn:")
			if !byRef && (p.NoEcho == nil || !*p.NoEcho) {
				t.Errorf("%s: carries a secret; take an ARN (AllowedPattern ^arn:) or set NoEcho", name)
			}
		}
		if s, ok := p.Default.(string); ok && reSecretLike.MatchString(s) {
			t.Errorf("%s: default %.6q... looks like a credential", name, s)
		}
	}
	for _, f := range functions {
		for k, v := range envOf(t, fn(t, tmpl, f.id)) {
			if k == twiliop.EnvAuthToken {
				t.Errorf("%s: %s set; pass %s (a reference) instead", f.id, k, twiliop.EnvAuthTokenSecret)
			}
			if strings.HasPrefix(strings.ToLower(v), "plain:") {
				t.Errorf("%s: %s is a plain: secret (local use only)", f.id, k)
			}
			if reSecretLike.MatchString(v) {
				t.Errorf("%s: %s=%.6q... looks like a credential", f.id, k, v)
			}
		}
	}
	secrets := tmpl.GetAllSecretsManagerSecretResources()
	s, ok := secrets["OtpSecret"]
	if !ok {
		t.Fatal("no OtpSecret")
	}
	if s.SecretString != nil {
		t.Error("OtpSecret has a literal SecretString")
	}
	g := s.GenerateSecretString
	if g == nil || g.PasswordLength == nil || *g.PasswordLength < otp.MinSecretLen {
		t.Errorf("OtpSecret must be generated with at least %d characters", otp.MinSecretLen)
	} else if g.SecretStringTemplate != nil || g.ExcludePunctuation == nil || !*g.ExcludePunctuation {
		// A generated value starting with "{" would be parsed as the rotation JSON.
		t.Error("OtpSecret: want a plain generated string without punctuation")
	}
	if s.AWSCloudFormationCondition != "CreateOtpSecret" {
		t.Errorf("OtpSecret condition %q, want CreateOtpSecret (skipped when ExistingOtpSecretArn is given)", s.AWSCloudFormationCondition)
	}
}

func TestAlarms(t *testing.T) {
	forEachParamSet(t, func(t *testing.T, tmpl *cloudformation.Template, params map[string]any) {
		alarms := tmpl.GetAllCloudWatchAlarmResources()
		find := func(desc string, match func(namespace, metric, dims, expr string) bool) {
			t.Helper()
			for id, a := range alarms {
				var dims []string
				for _, d := range a.Dimensions {
					dims = append(dims, d.Name+"="+d.Value)
				}
				var expr []string
				for _, m := range a.Metrics {
					expr = append(expr, deref(m.Expression))
				}
				if match(deref(a.Namespace), deref(a.MetricName), strings.Join(dims, ","), strings.Join(expr, ";")) {
					topic, _ := params["AlarmTopicArn"].(string)
					switch {
					case topic == "" && len(a.AlarmActions) != 0:
						t.Errorf("%s: actions %v without AlarmTopicArn", id, a.AlarmActions)
					case topic != "" && !slices.Equal(a.AlarmActions, []string{topic}):
						t.Errorf("%s: actions %v, want [%s]", id, a.AlarmActions, topic)
					}
					if a.Threshold == nil || a.ComparisonOperator != "GreaterThanThreshold" {
						t.Errorf("%s: want a GreaterThanThreshold threshold", id)
					}
					return
				}
			}
			t.Errorf("no alarm for %s", desc)
		}
		is := func(ns, metric, dims string) func(string, string, string, string) bool {
			return func(n, m, d, _ string) bool { return n == ns && m == metric && d == dims }
		}
		find("dead-letter queue not empty", is("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName=getatt:SmsDeadLetterQueue.QueueName"))
		find("oldest message age", is("AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName=getatt:SmsQueue.QueueName"))
		find("worker errors", is("AWS/Lambda", "Errors", "FunctionName=ref:SmsWorkerFunction"))
		find("CreateAuthChallenge failing (errors not explained by refusals, and OTP_UNAVAILABLE)", func(_, _, _, e string) bool {
			return strings.Contains(e, "FILL(errors, 0) - FILL(refused, 0) + FILL(unavailable, 0)")
		})
		find("VerifyAuthChallengeResponse errors", is("AWS/Lambda", "Errors", "FunctionName=ref:VerifyAuthChallengeFunction"))
		find("CreateAuthChallenge throttles", is("AWS/Lambda", "Throttles", "FunctionName=ref:CreateAuthChallengeFunction"))
		find("SNS month-to-date SMS spend", is("AWS/SNS", "SMSMonthToDateSpentUSD", ""))
		find("RecordFailed", is(metrics.Namespace, "RecordFailed", ""))
		find("estimated spend (EstimatedCostUSD)", func(_, _, _, e string) bool {
			return strings.Contains(e, "SUM(EstimatedCostUSD)") && strings.Contains(e, "SCHEMA("+metrics.Namespace+", Country, Provider)")
		})
		find("provider-side failures", func(_, _, _, e string) bool {
			return strings.Contains(e, "SUM(ProviderFailed)") && strings.Contains(e, "SCHEMA("+metrics.Namespace+", Kind, Provider)") &&
				strings.Contains(e, "Kind = 'provider-side'")
		})
	})
}

func TestOutputs(t *testing.T) {
	tmpl := load(t, nil)
	for _, name := range []string{"Region", "UserPoolId", "UserPoolClientId", "QueueName", "QueueUrl", "DeadLetterQueueUrl", "TableName"} {
		if _, ok := tmpl.Outputs[name]; !ok {
			t.Errorf("no output %s", name)
		}
	}
	if v := tmpl.Outputs["UserPoolClientId"].Value; v != "ref:UserPoolClient" {
		t.Errorf("UserPoolClientId = %v", v)
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func isNil(v any) bool {
	b, _ := json.Marshal(v)
	return string(b) == "null"
}

// SMS pumping shows as codes sent that are never verified: the alarm on
// the hourly ratio (over the dimension-free rollups the EMF lines publish).
func TestSentVersusVerifiedAlarm(t *testing.T) {
	tmpl := load(t, nil)
	a, err := tmpl.GetCloudWatchAlarmWithName("SentVersusVerifiedAlarm")
	if err != nil {
		t.Fatal(err)
	}
	got := alarmMetrics(a)
	want := map[string]string{
		"sent":     metrics.Namespace + "/CodeEnqueued",
		"verified": metrics.Namespace + "/CodeVerified",
		"ratio":    "IF(sent >= 50, FILL(verified, 0) / sent, 1)",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("metric %s = %q, want %q", id, got[id], w)
		}
	}
	if a.ComparisonOperator != "LessThanThreshold" || a.Threshold == nil {
		t.Errorf("comparison %s, want LessThanThreshold with a threshold", a.ComparisonOperator)
	}
}

// alarmMetrics maps each metric query of a to namespace/name, or to its
// expression.
func alarmMetrics(a *cloudwatch.Alarm) map[string]string {
	got := map[string]string{}
	for _, m := range a.Metrics {
		if m.MetricStat != nil && m.MetricStat.Metric != nil {
			got[m.Id] = deref(m.MetricStat.Metric.Namespace) + "/" + deref(m.MetricStat.Metric.MetricName)
		}
		if m.Expression != nil {
			got[m.Id] = *m.Expression
		}
	}
	return got
}

// Values the code would refuse at start-up are refused by the template's
// parameter patterns first, so a bad deploy fails at deploy time.
func TestParameterPatternsRefuseWhatTheCodeRefuses(t *testing.T) {
	tmpl := load(t, nil)
	refused := map[string][]string{
		"SmsRateSns":           {"0", "0.001", "fast", "-1"},
		"SmsRateTwilio":        {"0", "00"},
		"SmsDomain":            {"Example.com", "https://example.com", "example.com/login"},
		"SnsSenderId":          {"AB", "TWELVECHARSX", "no spaces"},
		"SnsOriginationNumber": {"1234", "+1 415 555 0123"},
		"SnsMaxPrice":          {"free", "-1", "0.5.0"},
		"SmsProviders":         {"", "pigeon", "sns,"},
		"SmsDeliveryTimeout":   {"0s", "20", "901s", "1000s", "1m"},
		"AllowedCountries":     {"USA", "US;IN"},
		"TestNumbers":          {"+14155550100", "+1 415 555 0100=123456", "14155550100=123456", "+14155550100=123456,", "+14155550100=12345a"},
	}
	for name, values := range refused {
		p, ok := tmpl.Parameters[name]
		if !ok || p.AllowedPattern == nil {
			t.Errorf("%s has no AllowedPattern", name)
			continue
		}
		re := regexp.MustCompile(*p.AllowedPattern)
		for _, v := range values {
			if re.MatchString(v) {
				t.Errorf("%s accepts %q, which the code refuses", name, v)
			}
		}
	}
}

// The pool is on the Lite plan: custom authentication needs no more, and
// Cognito's default (Essentials) costs more per user.
func TestUserPoolTierLite(t *testing.T) {
	data, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	pool := string(data)[strings.Index(string(data), "Type: AWS::Cognito::UserPool\n"):]
	pool = pool[:strings.Index(pool, "\n  UserPoolClient:")]
	if !strings.Contains(pool, userPoolTierLine) {
		t.Error("the user pool does not set UserPoolTier: LITE")
	}
}

// Users may write their locale, never their phone number: an unverified
// new number would receive every later code.
func TestPhoneNumberNotWritable(t *testing.T) {
	forEachParamSet(t, func(t *testing.T, tmpl *cloudformation.Template, _ map[string]any) {
		c, err := tmpl.GetCognitoUserPoolClientWithName("UserPoolClient")
		if err != nil {
			t.Fatal(err)
		}
		if len(c.WriteAttributes) == 0 || slices.Contains(c.WriteAttributes, "phone_number") {
			t.Errorf("WriteAttributes %v: must be set and must not include phone_number", c.WriteAttributes)
		}
	})
}
