package localstack

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ReadTemplate is LoadTemplate of the file at path.
func ReadTemplate(path string, overrides map[string]string) (PoolSettings, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return PoolSettings{}, fmt.Errorf("--template: %w", err)
	}
	ps, err := LoadTemplate(data, overrides)
	if err != nil {
		return PoolSettings{}, fmt.Errorf("--template %s: %w", path, err)
	}
	return ps, nil
}

// LoadTemplate reads the pool and app client settings from a CloudFormation
// or SAM template such as template.yaml: its one AWS::Cognito::UserPool and
// one AWS::Cognito::UserPoolClient. overrides set parameters as `sam deploy
// --parameter-overrides` does; the others take their Default. A property
// may be a literal or a !Ref to a parameter; other intrinsic functions are
// refused by name, so nothing is silently guessed. Properties left out get
// Cognito's defaults.
func LoadTemplate(data []byte, overrides map[string]string) (PoolSettings, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return PoolSettings{}, fmt.Errorf("parse: %w", err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return PoolSettings{}, errors.New("parse: not a template (no top-level mapping)")
	}
	doc := root.Content[0]
	params, err := parameters(key(doc, "Parameters"), overrides)
	if err != nil {
		return PoolSettings{}, err
	}
	r := resolver{params: params}
	poolProps, err := onlyResource(key(doc, "Resources"), "AWS::Cognito::UserPool")
	if err != nil {
		return PoolSettings{}, err
	}
	clientProps, err := onlyResource(key(doc, "Resources"), "AWS::Cognito::UserPoolClient")
	if err != nil {
		return PoolSettings{}, err
	}
	ps := r.settings(poolProps, clientProps)
	if err := errors.Join(r.errs...); err != nil {
		return PoolSettings{}, err
	}
	if err := ps.Check(); err != nil {
		return PoolSettings{}, err
	}
	return ps, nil
}

// settings reads the properties; errors collect in r.errs.
func (r *resolver) settings(pool, client *yaml.Node) PoolSettings {
	ps := PoolSettings{
		MinPasswordLength:          r.integer(path(pool, "Policies", "PasswordPolicy", "MinimumLength"), "PasswordPolicy.MinimumLength", cognitoMinPassword),
		ExplicitAuthFlows:          r.list(key(client, "ExplicitAuthFlows"), "ExplicitAuthFlows"),
		PreventUserExistenceErrors: r.scalar(key(client, "PreventUserExistenceErrors"), "PreventUserExistenceErrors", "LEGACY"),
		ReadAttributes:             r.list(key(client, "ReadAttributes"), "ReadAttributes"),
		WriteAttributes:            r.list(key(client, "WriteAttributes"), "WriteAttributes"),
		AuthSessionValidity:        time.Duration(r.integer(key(client, "AuthSessionValidity"), "AuthSessionValidity", 3)) * time.Minute,
	}
	if ps.ExplicitAuthFlows == nil {
		// CreateUserPoolClient's default, which includes SRP: the local
		// pool will refuse it by name.
		ps.ExplicitAuthFlows = []string{"ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
	}
	if names := r.list(key(pool, "UsernameAttributes"), "UsernameAttributes"); len(names) != 1 || names[0] != "phone_number" {
		r.errs = append(r.errs, fmt.Errorf("UsernameAttributes %v: the local pool signs in by phone_number only", names))
	}
	units := key(client, "TokenValidityUnits")
	ps.AccessTokenValidity = r.validity(client, units, "AccessToken", "hours", cognitoTokenValidity)
	ps.IDTokenValidity = r.validity(client, units, "IdToken", "hours", cognitoTokenValidity)
	ps.RefreshTokenValidity = r.validity(client, units, "RefreshToken", "days", cognitoRefreshValidity)
	return ps
}

// validity reads <name>Validity in TokenValidityUnits.<name> (default unit
// as CreateUserPoolClient's).
func (r *resolver) validity(client, units *yaml.Node, name, unit string, def time.Duration) time.Duration {
	n := r.integer(key(client, name+"Validity"), name+"Validity", -1)
	if n == -1 {
		return def
	}
	u := r.scalar(key(units, name), "TokenValidityUnits."+name, unit)
	per := map[string]time.Duration{"seconds": time.Second, "minutes": time.Minute, "hours": time.Hour, "days": 24 * time.Hour}[u]
	if per == 0 {
		r.errs = append(r.errs, fmt.Errorf("TokenValidityUnits.%s %q: want seconds, minutes, hours or days", name, u))
	}
	return time.Duration(n) * per
}

type param struct {
	typ, value string
	min, max   *float64
	allowed    []string
}

// parameters resolves each parameter's value: the override, else Default.
func parameters(node *yaml.Node, overrides map[string]string) (map[string]string, error) {
	declared := map[string]param{}
	if node != nil {
		for i := 0; i+1 < len(node.Content); i += 2 {
			def := node.Content[i+1]
			p := param{typ: scalarOf(key(def, "Type"))}
			if d := key(def, "Default"); d != nil {
				p.value = d.Value
			}
			p.min, p.max = number(key(def, "MinValue")), number(key(def, "MaxValue"))
			if a := key(def, "AllowedValues"); a != nil {
				for _, v := range a.Content {
					p.allowed = append(p.allowed, v.Value)
				}
			}
			declared[node.Content[i].Value] = p
		}
	}
	var errs []error
	for name, v := range overrides {
		p, ok := declared[name]
		if !ok {
			errs = append(errs, fmt.Errorf("parameter %s: the template has no such parameter", name))
			continue
		}
		if err := p.accepts(v); err != nil {
			errs = append(errs, fmt.Errorf("parameter %s=%s: %w", name, v, err))
		}
		p.value = v
		declared[name] = p
	}
	out := make(map[string]string, len(declared))
	for name, p := range declared {
		out[name] = p.value
	}
	return out, errors.Join(errs...)
}

// accepts checks v as CloudFormation checks a parameter value.
func (p param) accepts(v string) error {
	if len(p.allowed) > 0 && !slices.Contains(p.allowed, v) {
		return fmt.Errorf("want one of %s", strings.Join(p.allowed, ", "))
	}
	if p.typ != "Number" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil:
		return errors.New("want a number")
	case p.min != nil && f < *p.min:
		return fmt.Errorf("want at least %g", *p.min)
	case p.max != nil && f > *p.max:
		return fmt.Errorf("want at most %g", *p.max)
	}
	return nil
}

func number(n *yaml.Node) *float64 {
	if n == nil {
		return nil
	}
	f, err := strconv.ParseFloat(n.Value, 64)
	if err != nil {
		return nil
	}
	return &f
}

// onlyResource returns the Properties of the one resource of type typ.
func onlyResource(resources *yaml.Node, typ string) (*yaml.Node, error) {
	var found []string
	var props *yaml.Node
	if resources != nil {
		for i := 0; i+1 < len(resources.Content); i += 2 {
			if scalarOf(key(resources.Content[i+1], "Type")) == typ {
				found = append(found, resources.Content[i].Value)
				props = key(resources.Content[i+1], "Properties")
			}
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no %s resource", typ)
	case 1:
		if props == nil {
			props = &yaml.Node{Kind: yaml.MappingNode}
		}
		return props, nil
	}
	return nil, fmt.Errorf("%d %s resources (%s): the local stack serves one", len(found), typ, strings.Join(found, ", "))
}

// resolver turns property nodes into values, resolving !Ref to parameters.
type resolver struct {
	params map[string]string
	errs   []error
}

// scalar returns the property's value, or def when it is absent.
func (r *resolver) scalar(n *yaml.Node, prop, def string) string {
	if n == nil {
		return def
	}
	if ref, ok := refOf(n); ok {
		v, isParam := r.params[ref]
		if !isParam {
			r.errs = append(r.errs, fmt.Errorf("%s: !Ref %s is not a parameter", prop, ref))
		}
		return v
	}
	if n.Kind != yaml.ScalarNode || (n.Tag != "" && !strings.HasPrefix(n.Tag, "!!")) {
		r.errs = append(r.errs, fmt.Errorf("%s: only a literal or a !Ref to a parameter is supported here", prop))
		return def
	}
	return n.Value
}

func (r *resolver) integer(n *yaml.Node, prop string, def int) int {
	if n == nil {
		return def
	}
	s := r.scalar(n, prop, "")
	v, err := strconv.Atoi(s)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s %q: want a whole number", prop, s))
		return def
	}
	return v
}

// list returns a list property; nil when absent. A !Ref to a
// CommaDelimitedList parameter is split on commas.
func (r *resolver) list(n *yaml.Node, prop string) []string {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return strings.Split(r.scalar(n, prop, ""), ",")
	}
	out := []string{}
	for i, item := range n.Content {
		out = append(out, r.scalar(item, fmt.Sprintf("%s[%d]", prop, i), ""))
	}
	return out
}

// refOf recognises both spellings of Ref: the !Ref tag and {Ref: name}.
func refOf(n *yaml.Node) (string, bool) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!Ref" {
		return n.Value, true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Ref" {
		return n.Content[1].Value, true
	}
	return "", false
}

// key returns the value of k in mapping m, or nil.
func key(m *yaml.Node, k string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == k {
			return m.Content[i+1]
		}
	}
	return nil
}

func path(m *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		m = key(m, k)
	}
	return m
}

func scalarOf(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	return n.Value
}
