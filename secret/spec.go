package secret

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// specHelp lists the forms FromSpec accepts.
const specHelp = "want secretsmanager:<name-or-arn>, ssm:<parameter-name> or plain:<value>"

// maxNameLen is the longest secret id or parameter name the APIs accept.
const maxNameLen = 2048

// FromSpec returns the Fetcher a configuration value names:
//
//	secretsmanager:<name-or-arn>   Secrets Manager, needs sm
//	ssm:<parameter-name-or-arn>    SSM Parameter Store SecureString, needs ssmc
//	plain:<value>                  the value itself; local use only
//
// The kind is case-insensitive; spaces around the kind and the name are
// ignored, but a plain value is taken exactly as written. Errors name the
// problem and never echo the spec, since a misplaced secret could be in it.
func FromSpec(spec string, sm, ssmc API) (Fetcher, error) {
	kind, rest, ok := strings.Cut(spec, ":")
	if !ok {
		return nil, fmt.Errorf("secret spec: no kind; %s", specHelp)
	}
	switch strings.ToLower(strings.TrimSpace(kind)) {
	case "secretsmanager":
		id := strings.TrimSpace(rest)
		if err := checkName(id); err != nil {
			return nil, fmt.Errorf("secret spec secretsmanager: secret id %w", err)
		}
		if sm == nil {
			return nil, errors.New("secret spec secretsmanager: no Secrets Manager client")
		}
		return NewSecretsManager(sm, id), nil
	case "ssm":
		name := strings.TrimSpace(rest)
		if err := checkName(name); err != nil {
			return nil, fmt.Errorf("secret spec ssm: parameter name %w", err)
		}
		if ssmc == nil {
			return nil, errors.New("secret spec ssm: no SSM client")
		}
		return NewSSMParameter(ssmc, name), nil
	case "plain":
		if rest == "" {
			return nil, fmt.Errorf("secret spec plain: %w", ErrEmpty)
		}
		return NewStatic([]byte(rest)), nil
	default:
		return nil, fmt.Errorf("secret spec: unknown kind; %s", specHelp)
	}
}

// checkName returns why name can't be a secret id or parameter name.
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("is empty")
	case len(name) > maxNameLen:
		return fmt.Errorf("is %d bytes, longer than %d", len(name), maxNameLen)
	case strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return errors.New("contains a space or control character")
	}
	return nil
}
