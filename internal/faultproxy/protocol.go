package faultproxy

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// Protocol is the wire protocol of the server behind the proxy: it names
// each request's operation and shapes the error answers the proxy makes up.
type Protocol int

// The protocols; error shapes are from each service's API reference.
const (
	// DynamoDB: AWS JSON 1.0, X-Amz-Target DynamoDB_20120810.<Op>, errors
	// {"__type": "com.amazonaws.dynamodb.v20120810#<Code>", "message": ...}.
	DynamoDB Protocol = iota + 1
	// SQS: AWS JSON 1.0 (what aws-sdk-go-v2 and fauxqs speak), X-Amz-Target
	// AmazonSQS.<Op>; errors carry __type and, being query-compatible, the
	// x-amzn-query-error header "<Code>;<Sender|Receiver>".
	SQS
	// SNS: the AWS query protocol (form Action=<Op>), XML ErrorResponse.
	SNS
	// Twilio's REST API: JSON errors {"code", "message", "more_info", "status"}.
	Twilio
)

func (p Protocol) String() string {
	switch p {
	case DynamoDB:
		return "dynamodb"
	case SQS:
		return "sqs"
	case SNS:
		return "sns"
	case Twilio:
		return "twilio"
	}
	return fmt.Sprintf("Protocol(%d)", int(p))
}

// operation names the request: the X-Amz-Target operation, the query
// Action, or the last path element (Twilio's Messages.json).
func (p Protocol) operation(r *http.Request, body []byte) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		if i := strings.LastIndexByte(t, '.'); i >= 0 {
			return t[i+1:]
		}
		return t
	}
	if p == SNS {
		if v, err := url.ParseQuery(string(body)); err == nil && v.Get("Action") != "" {
			return v.Get("Action")
		}
	}
	return path.Base(r.URL.Path)
}

// answer is an error answer the proxy makes up.
type answer struct {
	status int
	header http.Header
	body   string
}

// throttle returns the protocol's throttling error; n picks among the codes
// the service uses, so a run sees each of them.
func (p Protocol) throttle(n int) answer {
	switch p {
	case DynamoDB:
		codes := []string{
			"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
			"com.amazon.coral.availability#ThrottlingException",
			"com.amazonaws.dynamodb.v20120810#RequestLimitExceeded",
		}
		return awsJSON(400, codes[n%len(codes)], "Rate of requests exceeds the allowed throughput.", "")
	case SQS:
		if n%2 == 0 {
			return awsJSON(400, "com.amazonaws.sqs#RequestThrottled", "Request is throttled.", "RequestThrottled;Sender")
		}
		return awsJSON(400, "com.amazon.coral.availability#ThrottlingException", "Rate exceeded", "ThrottlingException;Sender")
	case SNS:
		return queryXML(400, "Sender", "Throttling", "Rate exceeded")
	case Twilio:
		return twilioJSON(429, 20429, "Too Many Requests")
	}
	return answer{status: 429, body: "throttled"}
}

// serverError returns the protocol's 5xx answer.
func (p Protocol) serverError(n int) answer {
	switch p {
	case DynamoDB:
		if n%2 == 0 {
			return awsJSON(500, "com.amazonaws.dynamodb.v20120810#InternalServerError", "Internal server error", "")
		}
		return awsJSON(503, "com.amazon.coral.availability#ServiceUnavailableException", "Service unavailable", "")
	case SQS:
		return awsJSON(500, "com.amazon.coral.service#InternalFailure", "We encountered an internal error. Please try again.", "InternalFailure;Receiver")
	case SNS:
		return queryXML(500, "Receiver", "InternalError", "Internal error")
	case Twilio:
		return twilioJSON(503, 20503, "Service Unavailable")
	}
	return answer{status: 503, body: "unavailable"}
}

func awsJSON(status int, typ, msg, queryError string) answer {
	h := http.Header{"Content-Type": {"application/x-amz-json-1.0"}}
	if queryError != "" {
		h.Set("X-Amzn-Query-Error", queryError)
	}
	return answer{status: status, header: h, body: fmt.Sprintf(`{"__type":%q,"message":%q}`, typ, msg)}
}

func queryXML(status int, typ, code, msg string) answer {
	body := fmt.Sprintf(`<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`, typ, code, msg)
	return answer{status: status, header: http.Header{"Content-Type": {"text/xml"}}, body: body}
}

func twilioJSON(status, code int, msg string) answer {
	body := fmt.Sprintf(`{"code":%d,"message":%q,"more_info":"https://www.twilio.com/docs/errors/%d","status":%d}`, code, msg, code, status)
	return answer{status: status, header: http.Header{"Content-Type": {"application/json"}}, body: body}
}
