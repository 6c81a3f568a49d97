package faults_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
	"github.com/cognito-phone-otp/cognito-phone-otp/smstext"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// sms is one text a phone received.
type sms struct {
	challenge, code string
	provider        string
	at              time.Time
}

// phones is a provider that records each SMS by number; codes are known
// from the sealed messages (the test opens them with the keyring).
type phones struct {
	name  string
	codes func(m providers.Message) (challenge, code string)

	mu  sync.Mutex
	got map[string][]sms
}

func newPhones(name string, codes func(providers.Message) (string, string)) *phones {
	return &phones{name: name, codes: codes, got: map[string][]sms{}}
}

func (p *phones) Name() string { return p.name }

func (p *phones) Send(_ context.Context, m providers.Message) (providers.Receipt, error) {
	ch, code := p.codes(m)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got[m.To] = append(p.got[m.To], sms{challenge: ch, code: code, provider: p.name, at: time.Now()})
	return providers.Receipt{Provider: p.name, MessageID: "SM" + m.ID}, nil
}

// delivery is what one pass of the worker over a drained queue did.
type delivery struct {
	sms                  map[string][]sms
	messages, challenges int
	outcomes             map[string]int
}

// deliver takes every message off the queue (no faults) and runs the
// worker's Process on each (keys from secret) with the store read directly, so the count of
// SMS is what the real claim logic lets through.
func (s *stack) deliver(secret string) delivery {
	s.t.Helper()
	kr := keyring(s.t, secret)
	byMsg := map[string]queued{}
	var bodies [][]byte
	for {
		res, err := s.sqsDirect.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(s.queueURL), MaxNumberOfMessages: 10, VisibilityTimeout: 60})
		if err != nil {
			s.t.Fatal(err)
		}
		if len(res.Messages) == 0 {
			break
		}
		for _, m := range res.Messages {
			body := []byte(aws.ToString(m.Body))
			dec, err := schema.DecodeMessage(body)
			if err != nil {
				s.t.Fatalf("queued message: %v", err)
			}
			code, err := dec.OpenCode(kr)
			if err != nil {
				s.t.Fatalf("open queued code: %v", err)
			}
			byMsg[dec.MessageID] = queued{dec, code}
			bodies = append(bodies, body)
			s.sqsDirect.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(s.queueURL), ReceiptHandle: m.ReceiptHandle})
		}
	}
	ph := newPhones("rec", func(m providers.Message) (string, string) { q := byMsg[m.ID]; return q.msg.ChallengeID, q.code })
	w := s.worker(s.direct, staticKeys(secret), providers.Single{Provider: ph}, worker.DefaultConfig())
	d := delivery{outcomes: map[string]int{}, messages: len(bodies)}
	chals := map[string]bool{}
	for _, b := range bodies {
		o := w.Process(context.Background(), b)
		d.outcomes[o.Reason]++
	}
	for _, q := range byMsg {
		chals[q.msg.ChallengeID] = true
	}
	d.challenges = len(chals)
	d.sms = ph.got
	return d
}

func (s *stack) worker(claims worker.Claims, keys worker.Keys, send worker.Sender, cfg worker.Config) *worker.Worker {
	s.t.Helper()
	text, err := smstext.New(nil, "example.com", "")
	if err != nil {
		s.t.Fatal(err)
	}
	w, err := worker.New(cfg, claims, keys, text, send, worker.Prices{}, worker.Env{Log: s.log})
	if err != nil {
		s.t.Fatal(err)
	}
	return w
}

func (d delivery) String() string { return fmt.Sprint(d.outcomes) }
