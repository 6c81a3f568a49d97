package fakecognito

import (
	"errors"
	"fmt"
	"strings"
)

// filter is a parsed ListUsers Filter: `AttributeName Filter-Type "AttributeValue"`,
// where Filter-Type is = (exact) or ^= (starts with) and quotes inside the
// value are escaped with a backslash. The zero filter matches every user.
type filter struct {
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

func parseFilter(s string) (filter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return filter{}, nil
	}
	i := strings.IndexAny(s, " \t=^")
	if i <= 0 {
		return filter{}, errors.New("expected an attribute name")
	}
	f := filter{attr: s[:i]}
	if !searchable[f.attr] {
		return filter{}, fmt.Errorf("cannot search on attribute %q", f.attr)
	}
	rest := strings.TrimLeft(s[i:], " \t")
	switch {
	case strings.HasPrefix(rest, "^="):
		f.prefix, rest = true, rest[2:]
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	default:
		return filter{}, errors.New(`expected = or ^=`)
	}
	rest = strings.TrimLeft(rest, " \t")
	if !strings.HasPrefix(rest, `"`) {
		return filter{}, errors.New("expected a quoted value")
	}
	var b strings.Builder
	for j := 1; j < len(rest); j++ {
		switch c := rest[j]; c {
		case '\\':
			if j+1 == len(rest) {
				return filter{}, errors.New("dangling escape")
			}
			j++
			b.WriteByte(rest[j])
		case '"':
			if strings.TrimSpace(rest[j+1:]) != "" {
				return filter{}, fmt.Errorf("unexpected %q after the value", rest[j+1:])
			}
			f.value = b.String()
			return f, nil
		default:
			b.WriteByte(c)
		}
	}
	return filter{}, errors.New("unterminated quoted value")
}

func (f filter) match(u *User) bool {
	var got string
	switch f.attr {
	case "":
		return true
	case "username":
		got = u.Username
	case "cognito:user_status": // documented as case-insensitive
		return f.compare(strings.ToUpper(u.Status), strings.ToUpper(f.value))
	case "status": // "Enabled" or "Disabled", case-sensitive
		got = "Enabled"
		if u.Disabled {
			got = "Disabled"
		}
	default:
		v, ok := u.Attributes[f.attr]
		if !ok {
			return false
		}
		got = v
	}
	return f.compare(got, f.value)
}

func (f filter) compare(got, want string) bool {
	if f.prefix {
		return strings.HasPrefix(got, want)
	}
	return got == want
}
