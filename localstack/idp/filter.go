package idp

import (
	"errors"
	"fmt"
	"strings"
)

// Filter is a parsed ListUsers Filter: `AttributeName Filter-Type "AttributeValue"`,
// where Filter-Type is = (exact) or ^= (starts with) and quotes inside the
// value are escaped with a backslash. The zero Filter matches every user.
// The test fake of the admin API (internal/fakecognito) shares it.
type Filter struct {
	attr   string
	prefix bool
	value  string
}

// searchable lists the attributes the Cognito API reference says ListUsers
// can filter on.
var searchable = map[string]bool{
	"username": true, "email": true, "phone_number": true, "name": true,
	"given_name": true, "family_name": true, "preferred_username": true,
	"cognito:user_status": true, "status": true, "sub": true,
}

// ParseFilter parses a ListUsers Filter expression.
func ParseFilter(s string) (Filter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Filter{}, nil
	}
	i := strings.IndexAny(s, " \t=^")
	if i <= 0 {
		return Filter{}, errors.New("expected an attribute name")
	}
	f := Filter{attr: s[:i]}
	if !searchable[f.attr] {
		return Filter{}, fmt.Errorf("cannot search on attribute %q", f.attr)
	}
	rest := strings.TrimLeft(s[i:], " \t")
	switch {
	case strings.HasPrefix(rest, "^="):
		f.prefix, rest = true, rest[2:]
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	default:
		return Filter{}, errors.New(`expected = or ^=`)
	}
	rest = strings.TrimLeft(rest, " \t")
	if !strings.HasPrefix(rest, `"`) {
		return Filter{}, errors.New("expected a quoted value")
	}
	var b strings.Builder
	for j := 1; j < len(rest); j++ {
		switch c := rest[j]; c {
		case '\\':
			if j+1 == len(rest) {
				return Filter{}, errors.New("dangling escape")
			}
			j++
			b.WriteByte(rest[j])
		case '"':
			if strings.TrimSpace(rest[j+1:]) != "" {
				return Filter{}, fmt.Errorf("unexpected %q after the value", rest[j+1:])
			}
			f.value = b.String()
			return f, nil
		default:
			b.WriteByte(c)
		}
	}
	return Filter{}, errors.New("unterminated quoted value")
}

// Match reports whether a user with this username, UserStatus, enabled
// flag and attributes passes the filter.
func (f Filter) Match(username, status string, enabled bool, attrs map[string]string) bool {
	var got string
	switch f.attr {
	case "":
		return true
	case "username":
		got = username
	case "cognito:user_status": // documented as case-insensitive
		return f.compare(strings.ToUpper(status), strings.ToUpper(f.value))
	case "status": // "Enabled" or "Disabled", case-sensitive
		got = "Enabled"
		if !enabled {
			got = "Disabled"
		}
	default:
		v, ok := attrs[f.attr]
		if !ok {
			return false
		}
		got = v
	}
	return f.compare(got, f.value)
}

func (f Filter) compare(got, want string) bool {
	if f.prefix {
		return strings.HasPrefix(got, want)
	}
	return got == want
}
