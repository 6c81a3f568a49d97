package localstack

import (
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/receipts"
)

// TwilioReceiptsPath is where the stack takes Twilio status callbacks.
const TwilioReceiptsPath = "/receipts/twilio"

// receipts is the receipt handling of the sms-receipts function over the
// stack's ledger: the simulated carriers' receipts, and Twilio callbacks
// signed for the stack's public URL with TWILIO_AUTH_TOKEN.
func (s *Stack) receipts() (*receipts.Handler, error) {
	tw := receipts.TwilioConfig{}
	if s.cfg.TwilioAuthToken != "" {
		tw = receipts.TwilioConfig{CallbackURL: s.url + TwilioReceiptsPath, AuthToken: s.cfg.TwilioAuthToken, AllowHTTP: true}
	}
	h, err := receipts.New(tw, s.backends.ledger, receipts.Env{Now: s.opts.Now, Log: s.opts.Log})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// twilioReceipts serves POST /receipts/twilio as the function URL does:
// the request becomes the event the Lambda handler takes.
func twilioReceipts(h *receipts.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, receipts.MaxBody+1))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		ev := events.LambdaFunctionURLRequest{Headers: map[string]string{}, Body: string(body)}
		ev.RequestContext.HTTP.Method = r.Method
		ev.RequestContext.HTTP.Path = r.URL.Path
		for k, v := range r.Header {
			ev.Headers[strings.ToLower(k)] = strings.Join(v, ",")
		}
		resp := h.HandleTwilio(r.Context(), ev)
		w.WriteHeader(resp.StatusCode)
	})
}
