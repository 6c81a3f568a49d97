package verified_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/awsjson"
	"github.com/cognito-phone-otp/cognito-phone-otp/internal/fakecognito"
	"github.com/cognito-phone-otp/cognito-phone-otp/userpool/verified"
)

const poolID = "us-east-1_Test"

func TestMarkPhoneVerified(t *testing.T) {
	type attr struct{ Name, Value string }
	type request struct {
		UserPoolId     string
		Username       string
		UserAttributes []attr
	}
	tests := []struct {
		name     string
		poolID   string
		username string
		wantReq  request
		wantCode string // Cognito's error code expected, "" for success
	}{
		{
			name:     "sets phone_number_verified",
			poolID:   poolID,
			username: "user-1",
			wantReq: request{UserPoolId: poolID, Username: "user-1",
				UserAttributes: []attr{{"phone_number_verified", "true"}}},
		},
		{
			name:     "unknown user is typed and masks a phone-number username",
			poolID:   poolID,
			username: "+15555550199",
			wantReq:  request{UserPoolId: poolID, Username: "+15555550199", UserAttributes: []attr{{"phone_number_verified", "true"}}},
			wantCode: "UserNotFoundException",
		},
		{
			name:     "unknown pool is typed",
			poolID:   "us-east-1_Missing",
			username: "user-1",
			wantReq:  request{UserPoolId: "us-east-1_Missing", Username: "user-1", UserAttributes: []attr{{"phone_number_verified", "true"}}},
			wantCode: "ResourceNotFoundException",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakecognito.New(t)
			srv.AddPool(fakecognito.Pool{ID: poolID, Users: []fakecognito.User{{
				Username:   "user-1",
				Attributes: map[string]string{"phone_number": "+15555550123", "phone_number_verified": "false"},
			}}})
			p := verified.New(awsjson.New(srv.AWSConfig(), awsjson.CognitoIdentityProvider))

			err := p.MarkPhoneVerified(context.Background(), tt.poolID, tt.username)

			calls := srv.CallsTo("AdminUpdateUserAttributes")
			if len(calls) != 1 {
				t.Fatalf("AdminUpdateUserAttributes calls = %d, want 1", len(calls))
			}
			var got request
			if err := json.Unmarshal(calls[0].Body, &got); err != nil {
				t.Fatalf("decode request: %v", err)
			}
			if diff := cmp.Diff(tt.wantReq, got); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}

			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("MarkPhoneVerified: %v", err)
				}
				u, _ := srv.User(poolID, "user-1")
				if v := u.Attributes["phone_number_verified"]; v != "true" {
					t.Errorf("phone_number_verified = %q, want true", v)
				}
				return
			}
			if err == nil {
				t.Fatal("MarkPhoneVerified: nil error, want one")
			}
			var api *awsjson.APIError
			if !errors.As(err, &api) || api.Code != tt.wantCode {
				t.Errorf("error %v is not an *awsjson.APIError with code %s", err, tt.wantCode)
			}
			if strings.Contains(err.Error(), "5555550199") {
				t.Errorf("error contains a phone number: %v", err)
			}
			if !strings.Contains(err.Error(), "mark phone verified") {
				t.Errorf("error lacks context: %v", err)
			}
		})
	}
}
