package deploy_test

import (
	"encoding/json"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation"
)

// customSmsResources are what the CustomSmsSender parameter adds; each
// must carry its condition, so existing stacks (the default Off) are
// unchanged.
var customSmsResources = []string{"CustomSmsSenderFunction", "CustomSmsSenderKey", "CustomSmsSenderInvokePermission"}

func TestCustomSmsSenderWiring(t *testing.T) {
	forEachParamSet(t, func(t *testing.T, tmpl *cloudformation.Template, params map[string]any) {
		on := params["CustomSmsSender"] == "On"
		// goformation evaluates the conditions with the parameter values.
		if got := tmpl.Conditions[customSmsCondition]; got != on {
			t.Errorf("condition %s = %v with CustomSmsSender=%v", customSmsCondition, got, params["CustomSmsSender"])
		}
		conds := map[string]string{"CustomSmsSenderFunction": fn(t, tmpl, "CustomSmsSenderFunction").AWSCloudFormationCondition}
		if k, err := tmpl.GetKMSKeyWithName("CustomSmsSenderKey"); err == nil {
			conds["CustomSmsSenderKey"] = k.AWSCloudFormationCondition
		}
		if p, err := tmpl.GetLambdaPermissionWithName("CustomSmsSenderInvokePermission"); err == nil {
			conds["CustomSmsSenderInvokePermission"] = p.AWSCloudFormationCondition
		}
		for _, id := range customSmsResources {
			c, ok := conds[id]
			switch {
			case !ok:
				t.Errorf("no resource %s", id)
			case c != customSmsCondition:
				t.Errorf("%s: condition %q, want %s", id, c, customSmsCondition)
			}
		}
		if o, ok := tmpl.Outputs["CustomSmsSenderKeyArn"]; !ok || deref(o.Condition) != customSmsCondition {
			t.Errorf("output CustomSmsSenderKeyArn missing or without condition %s", customSmsCondition)
		}
		pool, err := tmpl.GetCognitoUserPoolWithName("UserPool")
		if err != nil {
			t.Fatal(err)
		}
		lc := pool.LambdaConfig
		if !on {
			if lc.CustomSMSSender != nil || lc.KMSKeyID != nil {
				t.Errorf("CustomSmsSender Off, yet LambdaConfig has CustomSMSSender %+v and KMSKeyID %v", lc.CustomSMSSender, deref(lc.KMSKeyID))
			}
			return
		}
		if c := lc.CustomSMSSender; c == nil {
			t.Error("no LambdaConfig.CustomSMSSender")
		} else if deref(c.LambdaArn) != "getatt:CustomSmsSenderFunction.Arn" || deref(c.LambdaVersion) != "V1_0" {
			t.Errorf("LambdaConfig.CustomSMSSender %s %s, want getatt:CustomSmsSenderFunction.Arn V1_0", deref(c.LambdaArn), deref(c.LambdaVersion))
		}
		if deref(lc.KMSKeyID) != customSmsKeyArn {
			t.Errorf("LambdaConfig.KMSKeyID %q, want %s", deref(lc.KMSKeyID), customSmsKeyArn)
		}
		// The function decrypts under the key the pool encrypts with.
		if v := envOf(t, fn(t, tmpl, "CustomSmsSenderFunction"))["OTP_KMS_KEY_ARN"]; v != deref(lc.KMSKeyID) {
			t.Errorf("OTP_KMS_KEY_ARN %q, want the pool's KMSKeyID %q", v, deref(lc.KMSKeyID))
		}
	})
}

// keyStatement is one statement of the key policy.
type keyStatement struct {
	Sid       string
	Effect    string
	Principal map[string]any
	Action    any
	Resource  any
	Condition map[string]map[string]any
	// Any of these makes a statement hard to reason about: refused.
	NotAction, NotPrincipal, NotResource any
}

// encryptActions make ciphertexts under the key: only Cognito, through
// the grant it creates, may.
var encryptActions = []string{
	"kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
	"kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo",
}

// adminNeeds are what the account must be able to do: administer the key
// (CloudFormation updates and deletes it), create the grant Cognito needs
// when the deployer names the key in the pool, and decrypt through the
// function's IAM policy.
var adminNeeds = []string{
	"kms:DescribeKey", "kms:PutKeyPolicy", "kms:GetKeyPolicy", "kms:EnableKeyRotation", "kms:GetKeyRotationStatus",
	"kms:UpdateKeyDescription", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:TagResource",
	"kms:UntagResource", "kms:ListResourceTags", "kms:CreateGrant", "kms:RevokeGrant", "kms:Decrypt",
}

// actionMatches reports whether the policy action pattern covers action
// (IAM's "*" wildcard; action names are case-insensitive).
func actionMatches(pattern, action string) bool {
	ok, err := path.Match(strings.ToLower(pattern), strings.ToLower(action))
	return err == nil && ok
}

// The key policy after Cognito's "Activating the custom SMS sender Lambda
// trigger" (user-pool-lambda-custom-sms-sender.html): Cognito may create
// its grant only for this account's user pools; the account administers
// and decrypts; nobody but Cognito encrypts.
func TestCustomSmsSenderKeyPolicy(t *testing.T) {
	const (
		root  = "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
		pools = "arn:${AWS::Partition}:cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/*"
	)
	tmpl := load(t, map[string]any{"CustomSmsSender": "On"})
	key, err := tmpl.GetKMSKeyWithName("CustomSmsSenderKey")
	if err != nil {
		t.Fatal(err)
	}
	if key.EnableKeyRotation == nil || !*key.EnableKeyRotation {
		t.Error("key rotation is off")
	}
	if s := deref(key.KeySpec); s != "" && s != "SYMMETRIC_DEFAULT" {
		t.Errorf("KeySpec %s: Cognito encrypts with a symmetric key", s)
	}
	if u := deref(key.KeyUsage); u != "" && u != "ENCRYPT_DECRYPT" {
		t.Errorf("KeyUsage %s, want ENCRYPT_DECRYPT", u)
	}
	b, _ := json.Marshal(key.KeyPolicy)
	var policy struct{ Statement []keyStatement }
	if err := json.Unmarshal(b, &policy); err != nil {
		t.Fatalf("KeyPolicy %s: %v", b, err)
	}
	var cognito int
	var accountActions []string
	for _, st := range policy.Statement {
		if st.Effect != "Allow" || st.NotAction != nil || st.NotPrincipal != nil || st.NotResource != nil {
			t.Errorf("%s: want a plain Allow statement", st.Sid)
		}
		if r := strList(st.Resource); !slices.Equal(r, []string{"*"}) {
			t.Errorf("%s: Resource %v, want \"*\" (this key, in a key policy)", st.Sid, r)
		}
		actions := strList(st.Action)
		for _, a := range actions {
			if a == "*" || strings.EqualFold(a, "kms:*") {
				t.Errorf("%s: action %s allows everything", st.Sid, a)
			}
		}
		switch {
		case len(st.Principal) == 1 && st.Principal["Service"] == "cognito-idp.amazonaws.com":
			cognito++
			if !slices.Equal(actions, []string{"kms:CreateGrant"}) {
				t.Errorf("%s: Cognito may %v, want [kms:CreateGrant] (Cognito's documented statement)", st.Sid, actions)
			}
			want := map[string]map[string]any{
				"StringEquals": {"aws:SourceAccount": "${AWS::AccountId}"},
				"ArnLike":      {"aws:SourceArn": pools},
			}
			got, _ := json.Marshal(st.Condition)
			w, _ := json.Marshal(want)
			if string(got) != string(w) {
				t.Errorf("%s: Condition %s, want %s (this account's pools in this region only)", st.Sid, got, w)
			}
		case len(st.Principal) == 1 && st.Principal["AWS"] == root:
			if st.Condition != nil {
				t.Errorf("%s: unexpected condition %v", st.Sid, st.Condition)
			}
			accountActions = append(accountActions, actions...)
		default:
			t.Errorf("%s: principal %v; want the account (root) or cognito-idp.amazonaws.com", st.Sid, st.Principal)
		}
	}
	if cognito != 1 {
		t.Errorf("%d statements for Cognito, want 1", cognito)
	}
	for _, a := range encryptActions {
		for _, p := range accountActions {
			if actionMatches(p, a) {
				t.Errorf("the account may %s (through %s): only Cognito makes ciphertexts", a, p)
			}
		}
	}
	for _, a := range adminNeeds {
		if !slices.ContainsFunc(accountActions, func(p string) bool { return actionMatches(p, a) }) {
			t.Errorf("the account may not %s", a)
		}
	}
}
