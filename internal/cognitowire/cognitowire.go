// Package cognitowire is the Cognito Identity Provider wire layer (AWS JSON
// 1.1) that the local user pool (localstack/idp) and the test fake of its
// admin API (internal/fakecognito) share: the operation table and target
// checks, request decoding, the modelled errors and how they are written,
// the shapes both answer, and the user pool id rule. Each server keeps only
// its behaviour: what an operation does with its decoded input.
package cognitowire

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Attribute is an AttributeType: one user attribute.
type Attribute struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// Attributes lists attrs sorted by name, as Cognito does, restricted to
// names when that is not empty (ListUsers' AttributesToGet).
func Attributes(attrs map[string]string, names []string) []Attribute {
	keep := func(string) bool { return true }
	if len(names) > 0 {
		want := map[string]bool{}
		for _, n := range names {
			want[n] = true
		}
		keep = func(n string) bool { return want[n] }
	}
	out := []Attribute{}
	for n, v := range attrs {
		if keep(n) {
			out = append(out, Attribute{Name: n, Value: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Epoch renders a timestamp as Cognito does: a JSON number of seconds
// since the Unix epoch, with millisecond precision.
func Epoch(t time.Time) json.Number {
	ms := t.UnixMilli()
	sign := ""
	if ms < 0 {
		sign, ms = "-", -ms
	}
	return json.Number(fmt.Sprintf("%s%d.%03d", sign, ms/1000, ms%1000))
}

// User is a UserType, as ListUsers answers it.
type User struct {
	Username             string      `json:"Username"`
	Attributes           []Attribute `json:"Attributes"`
	UserCreateDate       json.Number `json:"UserCreateDate"`
	UserLastModifiedDate json.Number `json:"UserLastModifiedDate"`
	Enabled              bool        `json:"Enabled"`
	UserStatus           string      `json:"UserStatus"`
}

// ListUsersInput is ListUsers' request.
type ListUsersInput struct {
	UserPoolID      string   `json:"UserPoolId"`
	AttributesToGet []string `json:"AttributesToGet"`
	Filter          string   `json:"Filter"`
	Limit           int      `json:"Limit"`
	PaginationToken string   `json:"PaginationToken"`
}
