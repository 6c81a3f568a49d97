package worker_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/testenv"
	"github.com/cognito-phone-otp/cognito-phone-otp/providers"
	"github.com/cognito-phone-otp/cognito-phone-otp/worker"
)

// BenchmarkProcess: messages per second per core through the whole core
// (decode, unseal, claim, render, send, record) with a zero-latency
// provider and the in-memory store.
func BenchmarkProcess(b *testing.B) {
	h := newHarness(b, worker.DefaultConfig(), &fakeProvider{name: "fake"})
	bodies := make([][]byte, 0, 1024)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i >= len(bodies) {
			b.StopTimer()
			bodies = bodies[:0]
			for range cap(bodies) {
				body, _, _ := h.message()
				bodies = append(bodies, body)
			}
			i = 0
			b.StartTimer()
		}
		if o := h.process(bodies[i]); o.Reason != worker.ReasonSent {
			b.Fatalf("outcome %+v", o)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkBatchOf10SlowProvider: a Lambda batch of 10 against a provider
// that takes 200 ms per send; sent concurrently, the batch should take
// about one send, well under 2x.
func BenchmarkBatchOf10SlowProvider(b *testing.B) {
	const sendTime = 200 * time.Millisecond
	h := newHarness(b, worker.DefaultConfig(), &fakeProvider{name: "slow", delay: sendTime})
	d, err := worker.NewDriver(h.worker, testenv.SQS(b), "http://unused", "http://unused")
	if err != nil {
		b.Fatal(err)
	}
	var worst time.Duration
	for b.Loop() {
		b.StopTimer()
		ev := events.SQSEvent{}
		for range 10 {
			body, m, _ := h.message()
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: m.MessageID, Body: string(body)})
		}
		b.StartTimer()
		start := time.Now()
		resp, err := d.HandleSQS(context.Background(), ev)
		worst = max(worst, time.Since(start))
		if err != nil || len(resp.BatchItemFailures) != 0 {
			b.Fatalf("batch: %v, %d failures", err, len(resp.BatchItemFailures))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/batch")
	b.ReportMetric(float64(worst)/float64(sendTime), "worst-batch/one-send")
}

// BenchmarkRateLimit20PerSecond: 10 workers push through a sender limited
// to 20 messages/s for 10 s; the delivered rate must be within 5% of 20 and
// never above it (burst 1). It runs once whatever b.N is.
func BenchmarkRateLimit20PerSecond(b *testing.B) {
	const rate, window = 20.0, 10 * time.Second
	var sent atomic.Int64
	p := &fakeProvider{name: "fake"}
	limited := providers.RateLimited(p, "sender", rate, window)
	for b.Loop() {
		sent.Store(0)
		ctx, cancel := context.WithTimeout(context.Background(), window)
		start := time.Now()
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				for ctx.Err() == nil {
					if _, err := limited.Send(ctx, providers.Message{ID: "m", To: "+14155550123"}); err == nil {
						sent.Add(1)
					}
				}
			})
		}
		wg.Wait()
		cancel()
		got := float64(sent.Load()) / time.Since(start).Seconds()
		b.ReportMetric(got, "msgs/s")
		if got > rate*1.0+1/window.Seconds() || got < rate*0.95 {
			b.Errorf("delivered %.2f msgs/s at a limit of %.0f", got, rate)
		}
	}
}
