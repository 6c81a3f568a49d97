package deploy_test

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/intrinsics"
)

const templatePath = "../template.yaml"

const userPoolTierLine = "      UserPoolTier: LITE\n"

// goformation resolves Ref only against parameter defaults and drops
// GetAtt, which would erase the wiring these tests check. The handlers
// below keep it visible instead:
//
//	!Ref Param          -> the parameter's value (its Default, or the override)
//	!Ref Resource       -> "ref:Resource"
//	!Ref AWS::NoValue   -> nil; other pseudo parameters stay "${AWS::Region}"
//	!GetAtt R.Attr      -> "getatt:R.Attr"
//	!Sub                -> parameters substituted, resources as above
//	!If [Cond, a, b]    -> a or b, the condition evaluated with the parameters
var handlers = map[string]intrinsics.IntrinsicHandler{
	"Ref":        refHandler,
	"Fn::GetAtt": getAttHandler,
	"Fn::Sub":    subHandler,
	"Fn::If":     ifHandler,
}

// load parses template.yaml with the given parameter values (nil: the
// defaults). Number parameters take Go ints, the others strings.
func load(t *testing.T, params map[string]any) *cloudformation.Template {
	t.Helper()
	data, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	// goformation v7.14.9 predates the pool's UserPoolTier property and
	// refuses unknown ones; TestUserPoolTierLite checks it on the raw text.
	data = bytes.Replace(data, []byte(userPoolTierLine), nil, 1)
	tmpl, err := goformation.ParseYAMLWithOptions(data, &intrinsics.ProcessorOptions{
		IntrinsicHandlerOverrides: handlers,
		ParameterOverrides:        params,
	})
	if err != nil {
		t.Fatalf("parse %s: %v", templatePath, err)
	}
	return tmpl
}

// paramSets are the parameter values every wiring test runs with: the
// defaults, and every optional parameter set (Twilio first, an existing
// secret, an alarm topic, no reserved concurrency, the longest code life,
// the Custom SMS Sender on).
var paramSets = []struct {
	name   string
	params map[string]any
}{
	{"defaults", nil},
	{"everything set", map[string]any{
		"SmsProviders":                 "twilio,sns",
		"SmsRoutes":                    "IN=whatsapp,eum,twilio;BR=twilio,sns",
		"SmsRateSns":                   "1",
		"SmsRateTwilio":                "10.5",
		"SmsPrices":                    "twilio:US=0.0079,*=0.05;sns:IN=0.0023",
		"SmsDomain":                    "example.com",
		"SmsAndroidAppHash":            "FA+9qCX9VSu",
		"SnsSenderId":                  "MyApp",
		"SnsOriginationNumber":         "+18005550100",
		"SnsMaxPrice":                  "0.50",
		"SnsDltEntityId":               "1201159543060917386",
		"SnsDltTemplateId":             "1207161234567890123",
		"TwilioAccountSid":             "AC0123456789abcdef0123456789abcdef",
		"TwilioAuthTokenSecretArn":     twilioSecretARN,
		"TwilioMessagingServiceSid":    "MG0123456789abcdef0123456789abcdef",
		"TwilioStatusCallbackUrl":      "https://receipts.example.com/twilio",
		"SnsDeliveryStatusLogs":        "On",
		"SmsRateWhatsapp":              "20",
		"SmsRateEum":                   "1",
		"ChannelAttribute":             "custom:channel",
		"WhatsappFrom":                 "+15017122661",
		"WhatsappContentSids":          "en=HX0123456789abcdef0123456789abcdef,pt-BR=HXfedcba9876543210fedcba9876543210",
		"EumOriginationIdentityArn":    eumIdentityARN,
		"EumConfigurationSetArn":       eumConfigSetARN,
		"EumProtectConfigurationId":    "protect-0123456789abcdef0123456789abcdef",
		"EumMaxPrice":                  "0.05",
		"EumDltEntityId":               "1201159543060917386",
		"EumDltTemplateId":             "1207161234567890123",
		"EumEventsLogGroup":            "/aws/sms-voice/otp-events",
		"CodeLength":                   8,
		"CodeTtlMinutes":               15,
		"MaxAttempts":                  5,
		"ResendCooldownSeconds":        180,
		"AllowedCountries":             "IN,US,BR",
		"AllowVoip":                    "true",
		"CapPhone15m":                  0,
		"CapPhoneDay":                  20,
		"CapCountryHour":               5000,
		"CapGlobalHour":                50000,
		"TestNumbers":                  "+14155550100=12345678,+919876543210=87654321",
		"WorkerMaxConcurrency":         1000,
		"TriggerReservedConcurrency":   0,
		"ReceiptsReservedConcurrency":  0,
		"ExistingOtpSecretArn":         otpSecretARN,
		"AlarmTopicArn":                alarmTopicARN,
		"SnsMonthlySpendAlarmUsd":      100,
		"EstimatedHourlySpendAlarmUsd": 20,
		"QueueAgeAlarmSeconds":         30,
		"CustomSmsSender":              "On",
	}},
}

const (
	twilioSecretARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:twilio-token-AbCdEf"
	eumIdentityARN  = "arn:aws:sms-voice:us-east-1:123456789012:sender-id/ACMEOT/IN"
	eumConfigSetARN = "arn:aws:sms-voice:us-east-1:123456789012:configuration-set/otp-events"
	otpSecretARN    = "arn:aws:secretsmanager:us-east-1:123456789012:secret:otp-server-secret-GhIjKl"
	alarmTopicARN   = "arn:aws:sns:us-east-1:123456789012:otp-alarms"
)

func parameter(tmpl any, name string) (map[string]any, bool) {
	doc, _ := tmpl.(map[string]any)
	params, _ := doc["Parameters"].(map[string]any)
	p, ok := params[name].(map[string]any)
	return p, ok
}

func refHandler(_ string, input any, tmpl any) any {
	name, _ := input.(string)
	switch {
	case name == "AWS::NoValue":
		return nil
	case strings.HasPrefix(name, "AWS::"):
		return "${" + name + "}"
	}
	if p, ok := parameter(tmpl, name); ok {
		if def, ok := p["Default"]; ok {
			return def
		}
		return "param:" + name
	}
	return "ref:" + name
}

func getAttHandler(_ string, input any, _ any) any {
	switch v := input.(type) {
	case string:
		return "getatt:" + v
	case []any:
		parts := make([]string, len(v))
		for i, p := range v {
			parts[i] = fmt.Sprint(p)
		}
		return "getatt:" + strings.Join(parts, ".")
	}
	return nil
}

var reSubVar = regexp.MustCompile(`\$\{([^}!]+)\}`)

func subHandler(_ string, input any, tmpl any) any {
	var s string
	vars := map[string]any{}
	switch v := input.(type) {
	case string:
		s = v
	case []any:
		if len(v) != 2 {
			return nil
		}
		s, _ = v[0].(string)
		vars, _ = v[1].(map[string]any)
	default:
		return nil
	}
	return reSubVar.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		if v, ok := vars[name]; ok {
			return fmt.Sprint(v)
		}
		if strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::") {
			return "getatt:" + name
		}
		switch r := refHandler("Ref", name, tmpl).(type) {
		case string:
			return r
		case nil:
			return ""
		default:
			return fmt.Sprint(r)
		}
	})
}

func ifHandler(_ string, input any, tmpl any) any {
	args, ok := input.([]any)
	if !ok || len(args) != 3 {
		return nil
	}
	name, _ := args[0].(string)
	if condition(tmpl, name) {
		return args[1]
	}
	return args[2]
}

// condition evaluates the named condition against the parameter values.
// It knows the functions the template uses: Equals, Not, And, Or, Condition.
func condition(tmpl any, name string) bool {
	doc, _ := tmpl.(map[string]any)
	conds, _ := doc["Conditions"].(map[string]any)
	c, ok := conds[name]
	if !ok {
		panic("template: no condition " + name)
	}
	return evalCondition(tmpl, c)
}

func evalCondition(tmpl, node any) bool {
	m, ok := node.(map[string]any)
	if !ok || len(m) != 1 {
		panic(fmt.Sprintf("template: condition %v is not one function", node))
	}
	for fn, arg := range m {
		args, _ := arg.([]any)
		switch fn {
		case "Fn::Equals":
			return fmt.Sprint(condValue(tmpl, args[0])) == fmt.Sprint(condValue(tmpl, args[1]))
		case "Fn::Not":
			return !evalCondition(tmpl, args[0])
		case "Fn::And":
			for _, a := range args {
				if !evalCondition(tmpl, a) {
					return false
				}
			}
			return true
		case "Fn::Or":
			for _, a := range args {
				if evalCondition(tmpl, a) {
					return true
				}
			}
			return false
		case "Condition":
			return condition(tmpl, fmt.Sprint(arg))
		}
		panic("template: condition function " + fn + " not known to the test")
	}
	return false
}

func condValue(tmpl, v any) any {
	if m, ok := v.(map[string]any); ok {
		if r, ok := m["Ref"]; ok {
			return refHandler("Ref", r, tmpl)
		}
	}
	return v
}
