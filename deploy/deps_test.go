package deploy_test

import (
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const (
	sdk        = "github.com/aws/aws-sdk-go-v2"
	sdkService = sdk + "/service/"
	twilioGo   = "github.com/twilio/twilio-go"
	// numbering is the numbering plan library: only the generators of
	// phone/plan and phone/country and the tests link it (its package init
	// decodes all its metadata, about 18 ms of a cold start).
	numbering = "github.com/nyaruka/phonenumbers"
	// display is the language-name tables phonenumbers links (1.7 ms of
	// start-up); nothing of ours uses it.
	display = "golang.org/x/text/language/display"
	// xtext and protobuf come with phonenumbers; PreSignUp, which judges
	// numbers with phone/plan's generated tables, links neither.
	xtext    = "golang.org/x/text"
	protobuf = "google.golang.org/protobuf"
	// providers is our provider code: only the worker sends.
	providers = ours + "providers"
	ours      = "github.com/cognito-phone-otp/cognito-phone-otp/"
)

// wiring is what of ours Define and PreSignUp must not link: the packages
// of functions that store, queue, route or send, with their subpackages.
var wiring = []string{ours + "routing", providers, ours + "queue", ours + "store", ours + "worker",
	ours + "schema", ours + "delivery", ours + "secret", ours + "customsms"}

// triggersItself is package triggers (Create's code, and through it the
// other triggers' packages), not its subpackages, where Define and
// PreSignUp live.
var triggersItself = []string{ours + "triggers"}

// sdkConfig is the SDK's default configuration: it links the SSO, SSO
// OIDC, STS and sign-in clients to find credentials a Lambda function never
// has; internal/awsinit reads Lambda's environment instead.
const sdkConfig = sdk + "/config"

// credentialServices are the clients sdkConfig links (SSO, STS web
// identity and role chaining). Only the custom SMS sender links them: the
// AWS Encryption SDK's KMS keyring loads the default configuration itself.
var credentialServices = []string{"signin", "sso", "ssooidc", "sts"}

// secretClients are the generated clients of the secret stores; the secret
// is read with internal/awsjson, one operation each, instead.
var secretClients = []string{sdkService + "secretsmanager", sdkService + "ssm"}

// lean is what no function but the custom SMS sender may link.
var lean = append([]string{sdkConfig}, secretClients...)

// linkRules says, per main, which AWS service clients it may link (nil: no
// AWS SDK at all) and what else it must not link. Each function links only
// what it calls: Define and PreSignUp make no AWS call, only the worker
// sends SMS.
var linkRules = map[string]struct {
	services []string // aws-sdk-go-v2/service/<name> allowed
	never    []string // import path prefixes it must not link
	// neverPkg are packages it must not link, their subpackages allowed.
	neverPkg []string
}{
	"define-auth-challenge": {never: append([]string{sdk, twilioGo, numbering}, wiring...), neverPkg: triggersItself},
	"pre-sign-up":           {never: append([]string{sdk, twilioGo, numbering, xtext, protobuf}, wiring...), neverPkg: triggersItself},
	// Create sends through queue's JSON client (queue.NewSQSJSON); the
	// generated SQS client's sender is in queue/sqssdk, which it does not
	// link. It names the channel of the first send from the configuration
	// (packages channel, routing), without the providers. It checks the
	// number PreSignUp judged by its shape and country (phone/e164,
	// phone/country's generated table), without the numbering plan, whose
	// start-up cost 15 to 20 ms of its cold start.
	"create-auth-challenge": {services: []string{"dynamodb"}, never: append([]string{twilioGo, providers, numbering, display}, lean...)},
	// Verify and PostAuthentication parse no number: the challenge carries
	// its country and the pool's spelling (triggers/verify, triggers/postauth).
	"verify-auth-challenge": {services: []string{"dynamodb"}, never: append([]string{twilioGo, numbering}, lean...)},
	// PostAuthentication marks the phone verified with one JSON call
	// (userpool/verified), not the generated Cognito client.
	"post-authentication": {services: []string{"dynamodb"}, never: append([]string{twilioGo, numbering}, lean...)},
	// The routing parameter is read through internal/awsjson, like the secret.
	// It parses no number: each queue message carries its country, and route
	// keys are checked against phone/country's table.
	"sms-worker": {services: []string{"dynamodb", "sqs", "sns", "pinpointsmsvoicev2"}, never: append([]string{numbering}, lean...)},
	// Decrypts with KMS (the Encryption SDK's keyring builds its own client
	// from the SDK's default configuration); caps and records in DynamoDB;
	// enqueues on SQS through the JSON client, as Create does. Like Create,
	// it checks the number Cognito holds (judged by PreSignUp) without the
	// numbering plan.
	"custom-sms-sender": {services: append([]string{"kms", "dynamodb"}, credentialServices...), never: append([]string{twilioGo, numbering, display}, secretClients...)},
	// sms-receipts: the delivery ledger, and of twilio-go only the
	// signature validator (client), no REST API.
	"sms-receipts": {services: []string{"dynamodb"}, never: append([]string{twilioGo + "/rest", twilioGo + "/twiml", numbering}, lean...)},
}

// mustLink are packages a main must link: sms-receipts checks signatures
// with twilio-go's own validator, not a copy.
var mustLink = map[string][]string{
	"sms-receipts": {twilioGo + "/client"},
}

// deps lists the packages pkgs link as built for Lambda.
func deps(t *testing.T, pkgs ...string) []string {
	t.Helper()
	args := append([]string{"list", "-tags", "lambda.norpc", "-deps", "-f", "{{.ImportPath}}"}, pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", pkgs, err)
	}
	return strings.Fields(string(out))
}

// service is the client a package belongs to ("dynamodb" for
// .../service/dynamodb/types), or "".
func service(pkg string) string {
	rest, ok := strings.CutPrefix(pkg, sdkService)
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	if name == "internal" {
		return ""
	}
	return name
}

func TestEachFunctionLinksOnlyWhatItUses(t *testing.T) {
	for _, f := range functions {
		if _, ok := linkRules[f.cmd]; !ok {
			t.Errorf("%s: no link rule", f.cmd)
		}
	}
	// Every main with a rule.
	for _, cmd := range slices.Sorted(maps.Keys(linkRules)) {
		rule := linkRules[cmd]
		t.Run(cmd, func(t *testing.T) {
			t.Parallel()
			allowed := slices.Clone(rule.services)
			if slices.Contains(rule.services, "dynamodb") {
				// attributevalue converts stream records too (types only).
				allowed = append(allowed, "dynamodbstreams")
			}
			linked := deps(t, "./cmd/"+cmd)
			for _, want := range mustLink[cmd] {
				if !slices.Contains(linked, want) {
					t.Errorf("does not link %s", want)
				}
			}
			for _, p := range linked {
				for _, bad := range rule.never {
					if p == bad || strings.HasPrefix(p, bad+"/") {
						t.Errorf("links %s", p)
					}
				}
				if slices.Contains(rule.neverPkg, p) {
					t.Errorf("links %s", p)
				}
				if s := service(p); s != "" && !slices.Contains(allowed, s) {
					t.Errorf("links %s, a client it does not call", p)
				}
			}
		})
	}
}

// The domain and the delivery core link no DynamoDB: its item layout lives
// with its adapter, store/dynamo.
func TestCoreLinksNoDynamoDB(t *testing.T) {
	for _, pkg := range []string{"./otp", "./delivery", "./receipts", "./phone", "./schema", "./triggers/...", "./worker", "./store/mem", "./queue", "./providers"} {
		for _, p := range deps(t, pkg) {
			if s := service(p); s == "dynamodb" || strings.HasPrefix(p, sdk+"/feature/dynamodb") {
				t.Errorf("%s links %s", pkg, p)
			}
		}
	}
}

// No program of ours links the numbering plan library: phone.Parse judges
// with phone/plan, generated from it (go generate ./phone/plan).
func TestNoCommandLinksPhonenumbers(t *testing.T) {
	for _, p := range deps(t, "./cmd/...") {
		if p == numbering || strings.HasPrefix(p, numbering+"/") {
			t.Errorf("a command links %s", p)
		}
	}
}
