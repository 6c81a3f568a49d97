package triggers

import (
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/channel"
	"github.com/cognito-phone-otp/cognito-phone-otp/config"
	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/postauth"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/presignup"
	"github.com/cognito-phone-otp/cognito-phone-otp/triggers/verify"
)

// These tests hold CreateFromEnv, which reads every trigger variable, to
// the rules each one follows; settings in them are what Create reads.
type settings = CreateSettings

// required are the variables CreateFromEnv refuses to go without; the tests
// below that are about other variables supply them (see FromEnv).
var required = map[string]string{config.EnvTable: "otp-codes-required", config.EnvQueueURL: "https://sqs.example/required", config.EnvSecret: "ssm:/otp/required"}

// FromEnv is CreateFromEnv with the required variables that getenv leaves
// unset (as opposed to set empty) filled in.
func FromEnv(getenv func(string) string) (settings, error) {
	return CreateFromEnv(func(name string) string {
		if v := getenv(name); v != "" || required[name] == "" {
			return v
		}
		return required[name]
	})
}

// allVars is every variable FromEnv reads.
var allVars = []string{
	config.EnvTable, config.EnvQueueURL, config.EnvSecret, config.EnvSecretCacheTTL, EnvCodeLength, EnvCodeTTL,
	EnvMaxAttempts, EnvResendCooldown, EnvSessionValidity, EnvAllowedCountry,
	EnvCapPhone15m, EnvCapPhoneDay, EnvCapCountryHour, EnvCapGlobalHour, EnvCounterShards,
	EnvDefaultLocale, EnvDeadline, config.EnvLogLevel, EnvTestNumbers,
	channel.EnvProviders, channel.EnvRoutes, EnvChannelAttr,
}

// parsedVars is every variable FromEnv checks; the rest are taken as they are.
var parsedVars = slices.DeleteFunc(slices.Clone(allVars), func(n string) bool {
	return n == config.EnvTable || n == config.EnvQueueURL || n == config.EnvSecret
})

// getenv returns a getenv backed by m.
func getenv(m map[string]string) func(string) string {
	return func(name string) string { return m[name] }
}

// defaults is what FromEnv must return without any variable.
func defaults() settings {
	return settings{
		Table:    required[config.EnvTable],
		QueueURL: required[config.EnvQueueURL],
		Secret:   config.Secret{Spec: required[config.EnvSecret], CacheTTL: 5 * time.Minute},
		Triggers: DefaultConfig(),
		LogLevel: slog.LevelInfo,
	}
}

// blamed returns the variable named at the start of each line of err,
// sorted; errors.Join puts one error on each line.
func blamed(t *testing.T, err error) []string {
	t.Helper()
	var names []string
	for _, line := range strings.Split(err.Error(), "\n") {
		name, _, ok := strings.Cut(line, ": ")
		if !ok {
			t.Errorf("error line %q does not start with a variable name", line)
			continue
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func TestFromEnvDefaults(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
	}{
		{name: "no variables", env: nil},
		{name: "every variable empty", env: func() map[string]string {
			m := map[string]string{}
			for _, n := range allVars {
				m[n] = ""
			}
			return m
		}()},
		// Blank required variables are refused: TestCreateFromEnvRequires.
		{name: "every optional variable blank", env: func() map[string]string {
			m := map[string]string{}
			for _, n := range parsedVars {
				m[n] = " \t "
			}
			return m
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromEnv(getenv(tt.env))
			if err != nil {
				t.Fatalf("FromEnv: %v", err)
			}
			if diff := cmp.Diff(defaults(), got); diff != "" {
				t.Errorf("FromEnv mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFromEnvValid(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want func(c *settings) // applied to defaults()
	}{
		{
			name: "table name, trimmed",
			env:  map[string]string{config.EnvTable: " otp-codes "},
			want: func(c *settings) { c.Table = "otp-codes" },
		},
		{
			name: "queue URL",
			env:  map[string]string{config.EnvQueueURL: "https://sqs.us-east-1.amazonaws.com/123456789012/otp"},
			want: func(c *settings) { c.QueueURL = "https://sqs.us-east-1.amazonaws.com/123456789012/otp" },
		},
		{
			name: "secret spec",
			env:  map[string]string{config.EnvSecret: "secretsmanager:otp/pepper"},
			want: func(c *settings) { c.Secret.Spec = "secretsmanager:otp/pepper" },
		},
		{
			name: "secret cache TTL",
			env:  map[string]string{config.EnvSecretCacheTTL: "90s"},
			want: func(c *settings) { c.Secret.CacheTTL = 90 * time.Second },
		},
		{
			name: "code length",
			env:  map[string]string{EnvCodeLength: "8"},
			want: func(c *settings) { c.Triggers.Policy.Digits = 8 },
		},
		{
			name: "code TTL",
			env:  map[string]string{EnvCodeTTL: "2m"},
			want: func(c *settings) { c.Triggers.Policy.TTL = 2 * time.Minute },
		},
		{
			name: "code TTL equal to session validity",
			env:  map[string]string{EnvCodeTTL: "10m", EnvSessionValidity: "10m"},
			want: func(c *settings) {
				c.Triggers.Policy.TTL = 10 * time.Minute
				c.Triggers.Policy.SessionValidity = 10 * time.Minute
			},
		},
		{
			name: "max attempts",
			env:  map[string]string{EnvMaxAttempts: "5"},
			want: func(c *settings) { c.Triggers.Policy.MaxAttempts = 5 },
		},
		{
			name: "resend cooldown",
			env:  map[string]string{EnvResendCooldown: "45s"},
			want: func(c *settings) { c.Triggers.Policy.ResendCooldown = 45 * time.Second },
		},
		{
			name: "resend cooldown zero",
			env:  map[string]string{EnvResendCooldown: "0s"},
			want: func(c *settings) { c.Triggers.Policy.ResendCooldown = 0 },
		},
		{
			name: "session validity",
			env:  map[string]string{EnvSessionValidity: "15m"},
			want: func(c *settings) { c.Triggers.Policy.SessionValidity = 15 * time.Minute },
		},
		{
			name: "allowed countries, folded and deduplicated",
			env:  map[string]string{EnvAllowedCountry: "in, us ,IN,gb"},
			want: func(c *settings) { c.Triggers.Phone.AllowedCountries = []string{"IN", "US", "GB"} },
		},
		// The number type is PreSignUp's to judge: Create neither reads nor
		// validates OTP_ALLOW_VOIP, so a bad value does not stop it.
		{
			name: "OTP_ALLOW_VOIP is PreSignUp's",
			env:  map[string]string{presignup.EnvAllowVoIP: "perhaps"},
			want: func(c *settings) {},
		},
		{
			name: "phone cap per 15 minutes",
			env:  map[string]string{EnvCapPhone15m: "3"},
			want: func(c *settings) { c.Triggers.Policy.Caps[0].Max = 3 },
		},
		{
			name: "phone cap per day",
			env:  map[string]string{EnvCapPhoneDay: "0"},
			want: func(c *settings) { c.Triggers.Policy.Caps[1].Max = 0 },
		},
		{
			name: "country cap per hour",
			env:  map[string]string{EnvCapCountryHour: "500"},
			want: func(c *settings) { c.Triggers.Policy.Caps[2].Max = 500 },
		},
		{
			name: "global cap per hour",
			env:  map[string]string{EnvCapGlobalHour: "100000000"},
			want: func(c *settings) { c.Triggers.Policy.Caps[3].Max = 100_000_000 },
		},
		{
			name: "counter shards on country and global caps only",
			env:  map[string]string{EnvCounterShards: "4"},
			want: func(c *settings) {
				c.Triggers.Policy.Caps[2].Shards = 4
				c.Triggers.Policy.Caps[3].Shards = 4
			},
		},
		{
			name: "default locale",
			env:  map[string]string{EnvDefaultLocale: "pt-BR"},
			want: func(c *settings) { c.Triggers.DefaultLocale = "pt-BR" },
		},
		{
			name: "deadline",
			env:  map[string]string{EnvDeadline: "2500ms"},
			want: func(c *settings) { c.Triggers.Deadline = 2500 * time.Millisecond },
		},
		{
			name: "log level, any case",
			env:  map[string]string{config.EnvLogLevel: "debug"},
			want: func(c *settings) { c.LogLevel = slog.LevelDebug },
		},
		{
			name: "log level warn",
			env:  map[string]string{config.EnvLogLevel: "WARN"},
			want: func(c *settings) { c.LogLevel = slog.LevelWarn },
		},
		{
			name: "every variable at once",
			env: map[string]string{
				config.EnvTable:          "otp-codes",
				config.EnvQueueURL:       "https://sqs.example/otp",
				config.EnvSecret:         "ssm:/otp/pepper",
				config.EnvSecretCacheTTL: "1s",
				EnvCodeLength:            "4",
				EnvCodeTTL:               "5m",
				EnvMaxAttempts:           "10",
				EnvResendCooldown:        "1m",
				EnvSessionValidity:       "6m",
				EnvAllowedCountry:        "IN",
				EnvCapPhone15m:           "2",
				EnvCapPhoneDay:           "6",
				EnvCapCountryHour:        "700",
				EnvCapGlobalHour:         "9000",
				EnvCounterShards:         "100",
				EnvDefaultLocale:         "hi",
				EnvDeadline:              "4500ms",
				config.EnvLogLevel:       "ERROR",
				EnvTestNumbers:           "+919876543210=0042",
				channel.EnvProviders:     "twilio,sns",
				channel.EnvRoutes:        "IN=whatsapp,eum,twilio",
				EnvChannelAttr:           "custom:channel",
			},
			want: func(c *settings) {
				*c = settings{
					Table:    "otp-codes",
					QueueURL: "https://sqs.example/otp",
					Secret:   config.Secret{Spec: "ssm:/otp/pepper", CacheTTL: time.Second},
					Triggers: Config{
						Policy: otp.Policy{
							Digits:          4,
							TTL:             5 * time.Minute,
							MaxAttempts:     10,
							ResendCooldown:  time.Minute,
							SessionValidity: 6 * time.Minute,
							Caps: []otp.Cap{
								{Scope: otp.ScopePhone, Window: 15 * time.Minute, Max: 2},
								{Scope: otp.ScopePhone, Window: 24 * time.Hour, Max: 6},
								{Scope: otp.ScopeCountry, Window: time.Hour, Max: 700, Shards: 100},
								{Scope: otp.ScopeGlobal, Window: time.Hour, Max: 9000, Shards: 100},
							},
						},
						DefaultLocale: "hi",
						Deadline:      4500 * time.Millisecond,
						TestNumbers:   map[string]string{"+919876543210": "0042"},
						Channels: channel.Plan{
							Default: []string{"twilio", "sns"},
							Routes:  map[string][]string{"IN": {"whatsapp", "eum", "twilio"}},
						},
						ChannelAttribute: "custom:channel",
					},
					LogLevel: slog.LevelError,
				}
				c.Triggers.Phone.AllowedCountries = []string{"IN"}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := defaults()
			tt.want(&want)
			got, err := FromEnv(getenv(tt.env))
			if err != nil {
				t.Fatalf("FromEnv: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("FromEnv mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFromEnvValidCoversEveryVariable keeps the "every variable at once"
// case above honest when a variable is added.
func TestFromEnvValidCoversEveryVariable(t *testing.T) {
	seen := map[string]bool{}
	_, err := FromEnv(func(name string) string {
		seen[name] = true
		return ""
	})
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	var read []string
	for n := range seen {
		read = append(read, n)
	}
	slices.Sort(read)
	want := slices.Sorted(slices.Values(allVars))
	if diff := cmp.Diff(want, read); diff != "" {
		t.Errorf("variables FromEnv reads differ from allVars (-allVars +read):\n%s", diff)
	}
}

func TestFromEnvInvalid(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantVar string // the only variable the error may blame
	}{
		{"secret cache TTL not a duration", map[string]string{config.EnvSecretCacheTTL: "five minutes"}, config.EnvSecretCacheTTL},
		{"secret cache TTL below 1s", map[string]string{config.EnvSecretCacheTTL: "500ms"}, config.EnvSecretCacheTTL},
		{"secret cache TTL above 5m", map[string]string{config.EnvSecretCacheTTL: "6m"}, config.EnvSecretCacheTTL},
		{"code length not a number", map[string]string{EnvCodeLength: "six"}, EnvCodeLength},
		{"code length below minimum", map[string]string{EnvCodeLength: "3"}, EnvCodeLength},
		{"code length above maximum", map[string]string{EnvCodeLength: "11"}, EnvCodeLength},
		{"code length fractional", map[string]string{EnvCodeLength: "6.5"}, EnvCodeLength},
		{"code TTL without unit", map[string]string{EnvCodeTTL: "180"}, EnvCodeTTL},
		{"code TTL below 30s", map[string]string{EnvCodeTTL: "20s"}, EnvCodeTTL},
		{"code TTL above maximum", map[string]string{EnvCodeTTL: "16m", EnvSessionValidity: "15m"}, EnvCodeTTL},
		{"code TTL longer than default session validity", map[string]string{EnvCodeTTL: "5m"}, EnvCodeTTL},
		{"code TTL longer than session validity", map[string]string{EnvCodeTTL: "10m", EnvSessionValidity: "9m"}, EnvCodeTTL},
		{"max attempts not a number", map[string]string{EnvMaxAttempts: "three"}, EnvMaxAttempts},
		{"max attempts zero", map[string]string{EnvMaxAttempts: "0"}, EnvMaxAttempts},
		{"max attempts above limit", map[string]string{EnvMaxAttempts: "11"}, EnvMaxAttempts},
		{"resend cooldown not a duration", map[string]string{EnvResendCooldown: "soon"}, EnvResendCooldown},
		{"resend cooldown negative", map[string]string{EnvResendCooldown: "-1s"}, EnvResendCooldown},
		{"resend cooldown longer than default code TTL", map[string]string{EnvResendCooldown: "4m"}, EnvResendCooldown},
		{"resend cooldown longer than code TTL", map[string]string{EnvResendCooldown: "2m", EnvCodeTTL: "1m"}, EnvResendCooldown},
		{"session validity below minimum", map[string]string{EnvSessionValidity: "2m"}, EnvSessionValidity},
		{"session validity above maximum", map[string]string{EnvSessionValidity: "16m"}, EnvSessionValidity},
		// A bad value replaced by its default must not make a good one look wrong.
		{"bad session validity not blamed on code TTL", map[string]string{EnvSessionValidity: "forever", EnvCodeTTL: "10m"}, EnvSessionValidity},
		{"bad code TTL not blamed on resend cooldown", map[string]string{EnvCodeTTL: "20s", EnvResendCooldown: "1m"}, EnvCodeTTL},
		{"bad code length not blamed on test numbers", map[string]string{EnvCodeLength: "x", EnvTestNumbers: "+14155550100=12345678"}, EnvCodeLength},
		{"bad countries not blamed on test numbers", map[string]string{EnvAllowedCountry: "XX", EnvTestNumbers: "+14155550100=123456"}, EnvAllowedCountry},
		{"allowed countries unknown code", map[string]string{EnvAllowedCountry: "IN,XX"}, EnvAllowedCountry},
		{"allowed countries UK", map[string]string{EnvAllowedCountry: "UK"}, EnvAllowedCountry},
		{"allowed countries empty entry", map[string]string{EnvAllowedCountry: "IN,,US"}, EnvAllowedCountry},
		{"allowed countries trailing comma", map[string]string{EnvAllowedCountry: "IN,"}, EnvAllowedCountry},
		{"phone cap per 15m not a number", map[string]string{EnvCapPhone15m: "five"}, EnvCapPhone15m},
		{"phone cap per 15m negative", map[string]string{EnvCapPhone15m: "-1"}, EnvCapPhone15m},
		{"phone cap per 15m too high", map[string]string{EnvCapPhone15m: "1001"}, EnvCapPhone15m},
		{"phone cap per day too high", map[string]string{EnvCapPhoneDay: "10001"}, EnvCapPhoneDay},
		{"country cap per hour exponent", map[string]string{EnvCapCountryHour: "1e3"}, EnvCapCountryHour},
		{"country cap per hour too high", map[string]string{EnvCapCountryHour: "10000001"}, EnvCapCountryHour},
		{"global cap per hour too high", map[string]string{EnvCapGlobalHour: "100000001"}, EnvCapGlobalHour},
		{"global cap per hour overflows int", map[string]string{EnvCapGlobalHour: "99999999999999999999999"}, EnvCapGlobalHour},
		{"counter shards zero", map[string]string{EnvCounterShards: "0"}, EnvCounterShards},
		{"counter shards above 100", map[string]string{EnvCounterShards: "101"}, EnvCounterShards},
		{"default locale not a tag", map[string]string{EnvDefaultLocale: "english!"}, EnvDefaultLocale},
		{"default locale underscore", map[string]string{EnvDefaultLocale: "pt_BR"}, EnvDefaultLocale},
		{"default locale too long", map[string]string{EnvDefaultLocale: "en" + strings.Repeat("-abcdefgh", 4)}, EnvDefaultLocale},
		{"deadline not a duration", map[string]string{EnvDeadline: "4"}, EnvDeadline},
		{"deadline below 500ms", map[string]string{EnvDeadline: "100ms"}, EnvDeadline},
		{"deadline above Cognito's 5s less the void budget", map[string]string{EnvDeadline: "4600ms"}, EnvDeadline},
		{"log level unknown", map[string]string{config.EnvLogLevel: "verbose"}, config.EnvLogLevel},
		{"log level number", map[string]string{config.EnvLogLevel: "0"}, config.EnvLogLevel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromEnv(getenv(tt.env))
			if err == nil {
				t.Fatalf("FromEnv(%v): nil error, want one naming %s", tt.env, tt.wantVar)
			}
			if diff := cmp.Diff([]string{tt.wantVar}, blamed(t, err)); diff != "" {
				t.Errorf("FromEnv(%v) = %v\nvariables blamed mismatch (-want +got):\n%s", tt.env, err, diff)
			}
		})
	}
}

func TestFromEnvTestNumbers(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string // EnvTestNumbers and any other variable
		want  map[string]string // nil: an error naming only EnvTestNumbers
		codes []string          // codes the error must not show
	}{
		{name: "one", env: map[string]string{EnvTestNumbers: "+14155550100=123456"},
			want: map[string]string{"+14155550100": "123456"}},
		{name: "two, trimmed", env: map[string]string{EnvTestNumbers: " +14155550100 = 123456 ,\t+14155550101=654321 "},
			want: map[string]string{"+14155550100": "123456", "+14155550101": "654321"}},
		{name: "code length from OTP_CODE_LENGTH", env: map[string]string{EnvTestNumbers: "+14155550100=12345678", EnvCodeLength: "8"},
			want: map[string]string{"+14155550100": "12345678"}},
		{name: "not E.164", env: map[string]string{EnvTestNumbers: "+1 415 555 0100=123456"}, codes: []string{"123456"}},
		{name: "not international", env: map[string]string{EnvTestNumbers: "4155550100=123456"}, codes: []string{"123456"}},
		// Validity and type are PreSignUp's to judge (TestConfigValidateTestNumbers).
		{name: "not a valid number, judged at sign-up", env: map[string]string{EnvTestNumbers: "+15555550100=123456"},
			want: map[string]string{"+15555550100": "123456"}},
		{name: "country not allowed", env: map[string]string{EnvTestNumbers: "+14155550100=123456", EnvAllowedCountry: "IN"}, codes: []string{"123456"}},
		{name: "toll-free, judged at sign-up", env: map[string]string{EnvTestNumbers: "+18005550100=123456"},
			want: map[string]string{"+18005550100": "123456"}},
		{name: "no length of the plan", env: map[string]string{EnvTestNumbers: "+1415555010=123456"}, codes: []string{"123456"}},
		{name: "code too short", env: map[string]string{EnvTestNumbers: "+14155550100=12345"}, codes: []string{"12345"}},
		{name: "code too long", env: map[string]string{EnvTestNumbers: "+14155550100=1234567"}, codes: []string{"1234567"}},
		{name: "code shorter than OTP_CODE_LENGTH", env: map[string]string{EnvTestNumbers: "+14155550100=123456", EnvCodeLength: "8"}, codes: []string{"123456"}},
		{name: "code not digits", env: map[string]string{EnvTestNumbers: "+14155550100=12345a"}, codes: []string{"12345a"}},
		{name: "code empty", env: map[string]string{EnvTestNumbers: "+14155550100="}},
		{name: "no code", env: map[string]string{EnvTestNumbers: "+14155550100"}},
		{name: "empty entry", env: map[string]string{EnvTestNumbers: "+14155550100=123456,"}, codes: []string{"123456"}},
		{name: "duplicate", env: map[string]string{EnvTestNumbers: "+14155550100=123456, +14155550100=654321"}, codes: []string{"123456", "654321"}},
		{name: "one good, one bad", env: map[string]string{EnvTestNumbers: "+14155550100=123456,+14155550101=65432"}, codes: []string{"123456", "65432"}},
	}
	fullNumber := regexp.MustCompile(`[0-9]{7,}`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromEnv(getenv(tt.env))
			if tt.want != nil {
				if err != nil {
					t.Fatalf("FromEnv: %v", err)
				}
				if diff := cmp.Diff(tt.want, got.Triggers.TestNumbers); diff != "" {
					t.Errorf("test numbers (-want +got):\n%s", diff)
				}
				return
			}
			if err == nil {
				t.Fatalf("FromEnv(%s=%q): nil error", EnvTestNumbers, tt.env[EnvTestNumbers])
			}
			if diff := cmp.Diff([]string{EnvTestNumbers}, blamed(t, err)); diff != "" {
				t.Errorf("FromEnv = %v\nvariables blamed mismatch (-want +got):\n%s", err, diff)
			}
			if fullNumber.MatchString(err.Error()) {
				t.Errorf("error holds a full number: %v", err)
			}
			for _, c := range tt.codes {
				if strings.Contains(err.Error(), c) {
					t.Errorf("error holds the code %s: %v", c, err)
				}
			}
		})
	}
}

func TestFromEnvReportsEveryBadVariable(t *testing.T) {
	bad := map[string]string{
		config.EnvSecretCacheTTL: "1h",
		EnvCodeLength:            "x",
		EnvCodeTTL:               "1y",
		EnvMaxAttempts:           "99",
		EnvResendCooldown:        "-5s",
		EnvSessionValidity:       "1m",
		EnvAllowedCountry:        "XX",
		EnvCapPhone15m:           "-2",
		EnvCapPhoneDay:           "lots",
		EnvCapCountryHour:        "1.5",
		EnvCapGlobalHour:         "-1",
		EnvCounterShards:         "1000",
		EnvDefaultLocale:         "!!",
		EnvDeadline:              "10s",
		config.EnvLogLevel:       "LOUD",
		EnvTestNumbers:           "+14155550100",
		channel.EnvProviders:     "pigeon",
		channel.EnvRoutes:        "India=sns",
		EnvChannelAttr:           "custom:otp channel",
	}
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{
			name: "two bad variables",
			env:  map[string]string{EnvCodeLength: "x", config.EnvLogLevel: "LOUD"},
			want: []string{EnvCodeLength, config.EnvLogLevel},
		},
		{
			name: "cross-check and a parse error",
			env:  map[string]string{EnvResendCooldown: "4m", EnvAllowedCountry: "UK"},
			want: []string{EnvAllowedCountry, EnvResendCooldown},
		},
		{
			name: "locale with other errors",
			env:  map[string]string{EnvDefaultLocale: "!!", EnvDeadline: "10s"},
			want: []string{EnvDeadline, EnvDefaultLocale},
		},
		{
			name: "every checked variable bad",
			env:  bad,
			want: slices.Sorted(slices.Values(parsedVars)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromEnv(getenv(tt.env))
			if err == nil {
				t.Fatalf("FromEnv(%v): nil error, want one naming %v", tt.env, tt.want)
			}
			if diff := cmp.Diff(tt.want, blamed(t, err)); diff != "" {
				t.Errorf("FromEnv = %v\nvariables blamed mismatch (-want +got):\n%s", err, diff)
			}
		})
	}
}

// maxEcho is the most characters of a value an error may repeat.
const maxEcho = 20

func TestFromEnvErrorBoundsValue(t *testing.T) {
	huge := strings.Repeat("7", 1<<20) // a number, a duration, a country: bad for every variable
	tooMuch := strings.Repeat("7", maxEcho+1)
	type test struct {
		name string
		env  map[string]string
		want []string
	}
	every := test{name: "every variable at once", env: map[string]string{}, want: slices.Sorted(slices.Values(parsedVars))}
	var tests []test
	for _, n := range parsedVars {
		tests = append(tests, test{name: n, env: map[string]string{n: huge}, want: []string{n}})
		every.env[n] = huge
	}
	tests = append(tests, every)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromEnv(getenv(tt.env))
			if err == nil {
				t.Fatal("FromEnv: nil error for a megabyte value, want one")
			}
			msg := err.Error()
			if strings.Contains(msg, tooMuch) {
				t.Errorf("FromEnv error repeats more than %d characters of the value: %.300s...", maxEcho, msg)
			}
			if limit := 300 * len(tt.want); len(msg) > limit {
				t.Errorf("FromEnv error is %d bytes, want at most %d: %.300s...", len(msg), limit, msg)
			}
			if diff := cmp.Diff(tt.want, blamed(t, err)); diff != "" {
				t.Errorf("variables blamed mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFromEnvErrorBoundsMultibyteValue(t *testing.T) {
	// %q escapes; count the characters of the value, not the bytes of the error.
	value := strings.Repeat("é", 1000)
	for _, n := range parsedVars {
		t.Run(n, func(t *testing.T) {
			_, err := FromEnv(getenv(map[string]string{n: value}))
			if err == nil {
				t.Fatalf("FromEnv(%s=%.20q...): nil error, want one", n, value)
			}
			if got := strings.Count(err.Error(), "é"); got > maxEcho {
				t.Errorf("FromEnv error repeats %d characters of the value, want at most %d: %v", got, maxEcho, err)
			}
		})
	}
}

func TestFromEnvNeverEchoesSecret(t *testing.T) {
	const secret = "plain:hunter2-correct-horse"
	tests := []struct {
		name string
		env  map[string]string
	}{
		{name: "secret with every other variable bad", env: func() map[string]string {
			m := map[string]string{config.EnvSecret: secret}
			for _, n := range parsedVars {
				m[n] = "bad value"
			}
			return m
		}()},
		{name: "secret with a cross-check failure", env: map[string]string{config.EnvSecret: "  " + secret + "\n", EnvCodeTTL: "10m"}},
		{name: "secret with a bad locale", env: map[string]string{config.EnvSecret: secret, EnvDefaultLocale: "?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromEnv(getenv(tt.env))
			if err == nil {
				t.Fatal("FromEnv: nil error, want one")
			}
			// Any 6 characters of the secret's value would be too many.
			for i := 0; i+6 <= len(secret); i++ {
				if part := secret[i : i+6]; strings.Contains(err.Error(), part) {
					t.Fatalf("FromEnv error contains %q of %s's value: %v", part, config.EnvSecret, err)
				}
			}
			if slices.Contains(blamed(t, err), config.EnvSecret) {
				t.Errorf("FromEnv error blames %s, which was valid: %v", config.EnvSecret, err)
			}
		})
	}
}

func TestCreateFromEnvRequires(t *testing.T) {
	full := map[string]string{config.EnvTable: "otp-codes", config.EnvQueueURL: "https://sqs.example/otp", config.EnvSecret: "ssm:/otp/pepper"}
	without := func(names ...string) map[string]string {
		m := maps.Clone(full)
		for _, n := range names {
			m[n] = "  "
		}
		return m
	}
	tests := []struct {
		name        string
		env         map[string]string
		wantMissing []string // sorted; nil means no error
	}{
		{name: "all present", env: full},
		{name: "table missing", env: without(config.EnvTable), wantMissing: []string{config.EnvTable}},
		{name: "queue missing", env: without(config.EnvQueueURL), wantMissing: []string{config.EnvQueueURL}},
		{name: "secret blank", env: without(config.EnvSecret), wantMissing: []string{config.EnvSecret}},
		{name: "every one missing", env: map[string]string{}, wantMissing: []string{config.EnvQueueURL, config.EnvSecret, config.EnvTable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CreateFromEnv(getenv(tt.env))
			if tt.wantMissing == nil {
				if err != nil {
					t.Errorf("CreateFromEnv: %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CreateFromEnv: nil error, want one naming %v", tt.wantMissing)
			}
			if diff := cmp.Diff(tt.wantMissing, blamed(t, err)); diff != "" {
				t.Errorf("CreateFromEnv = %v\nmissing variables mismatch (-want +got):\n%s", err, diff)
			}
		})
	}
}

// Each function's parser reads its own variables and no other function's.
func TestEachFunctionReadsOnlyItsVariables(t *testing.T) {
	policy := []string{EnvCodeLength, EnvCodeTTL, EnvMaxAttempts, EnvResendCooldown, EnvSessionValidity,
		EnvCapPhone15m, EnvCapPhoneDay, EnvCapCountryHour, EnvCapGlobalHour, EnvCounterShards}
	tests := []struct {
		name  string
		parse func(getenv func(string) string) error
		want  []string
	}{
		{"PreSignUp", func(g func(string) string) error { _, err := presignup.FromEnv(g); return err },
			[]string{EnvAllowedCountry, presignup.EnvAllowVoIP, config.EnvLogLevel}},
		{"PostAuthentication", func(g func(string) string) error { _, err := postauth.FromEnv(g); return err },
			[]string{config.EnvTable, EnvDeadline, config.EnvLogLevel}},
		{"Verify", func(g func(string) string) error { _, err := verify.FromEnv(g); return err },
			[]string{config.EnvTable, config.EnvSecret, config.EnvSecretCacheTTL, EnvCodeLength, EnvDeadline, config.EnvLogLevel}},
		{"Create", func(g func(string) string) error { _, err := CreateFromEnv(g); return err },
			append(slices.Clone(policy), config.EnvTable, config.EnvQueueURL, config.EnvSecret, config.EnvSecretCacheTTL,
				EnvAllowedCountry, EnvDefaultLocale, EnvDeadline, EnvTestNumbers, config.EnvLogLevel,
				channel.EnvProviders, channel.EnvRoutes, EnvChannelAttr)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			read := map[string]bool{}
			_ = tt.parse(func(name string) string { read[name] = true; return "" })
			if diff := cmp.Diff(slices.Sorted(slices.Values(tt.want)), slices.Sorted(maps.Keys(read))); diff != "" {
				t.Errorf("variables read (-want +got):\n%s", diff)
			}
		})
	}
}
