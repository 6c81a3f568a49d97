// Package sqssdk sends package queue's messages through the generated SQS
// client (aws-sdk-go-v2/service/sqs), for the programs that link it anyway
// (the local stack, tests with a *sqs.Client at hand). It sits apart from
// package queue so that the trigger functions, which send through the JSON
// protocol (queue.NewSQSJSON), link no generated client.
package sqssdk

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/queue"
)

// SQSAPI is the part of *sqs.Client that New uses.
type SQSAPI interface {
	SendMessage(ctx context.Context, params *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

var _ SQSAPI = (*sqs.Client)(nil)

// New returns a queue.SQS that sends to queueURL through client; its
// errors keep the SDK's typed errors (such as *types.QueueDoesNotExist).
func New(client SQSAPI, queueURL string) (*queue.SQS, error) {
	if client == nil {
		return nil, errors.New("queue: SQS client is nil")
	}
	return queue.NewSQS(sender{client}, queueURL)
}

type sender struct{ client SQSAPI }

func (s sender) SendMessage(ctx context.Context, queueURL, body string, attrs map[string]queue.Attribute) error {
	in := &sqs.SendMessageInput{
		QueueUrl:          aws.String(queueURL),
		MessageBody:       aws.String(body),
		MessageAttributes: make(map[string]types.MessageAttributeValue, len(attrs)),
	}
	for name, a := range attrs {
		in.MessageAttributes[name] = types.MessageAttributeValue{DataType: aws.String(a.DataType), StringValue: aws.String(a.StringValue)}
	}
	_, err := s.client.SendMessage(ctx, in)
	return err
}
