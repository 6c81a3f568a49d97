package plangen

import (
	"fmt"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
)

// pattern is one of the plan's regular expressions, compiled to the
// instructions Go's regexp runs, so that the generator can feed it one digit
// at a time and ask what a number starting with those digits may still become.
type pattern struct {
	prog *syntax.Prog
	// lengths are the national-number lengths the pattern's description
	// allows (empty: any), checked as phonenumbers checks them.
	lengths []int32
	never   bool // an absent description: matches nothing
}

func compile(expr string, lengths []int32) (*pattern, error) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("parse %q: %w", expr, err)
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, fmt.Errorf("compile %q: %w", expr, err)
	}
	return &pattern{prog: prog, lengths: lengths}, nil
}

// states is a set of instruction indexes, sorted, after the empty moves.
type states []uint32

// start is the set before any digit.
func (p *pattern) start() states {
	if p.never {
		return nil
	}
	return p.closure(nil, uint32(p.prog.Start))
}

// closure adds pc and every instruction reachable from it without reading a
// digit. The plan's patterns have no anchors or word boundaries; one that
// did would need them, so it stops the generator.
func (p *pattern) closure(set states, pc uint32) states {
	if i, found := slices.BinarySearch(set, pc); found {
		return set
	} else {
		set = slices.Insert(set, i, pc)
	}
	in := &p.prog.Inst[pc]
	switch in.Op {
	case syntax.InstAlt, syntax.InstAltMatch:
		set = p.closure(set, in.Out)
		return p.closure(set, in.Arg)
	case syntax.InstCapture, syntax.InstNop:
		return p.closure(set, in.Out)
	case syntax.InstEmptyWidth:
		panic(fmt.Sprintf("plangen: pattern with an empty-width assertion: %v", p.prog))
	}
	return set
}

// step is the set after reading digit d.
func (p *pattern) step(set states, d rune) states {
	var next states
	for _, pc := range set {
		in := &p.prog.Inst[pc]
		switch in.Op {
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			if in.MatchRune(d) {
				next = p.closure(next, in.Out)
			}
		}
	}
	return next
}

// matched reports whether the digits read so far (n of them) are a whole
// match: the pattern ends here and the length is one the description allows.
func (p *pattern) matched(set states, n int) bool {
	if len(set) == 0 || (len(p.lengths) > 0 && !slices.Contains(p.lengths, int32(n))) {
		return false
	}
	for _, pc := range set {
		if p.prog.Inst[pc].Op == syntax.InstMatch {
			return true
		}
	}
	return false
}

func (s states) key(b *strings.Builder) {
	for _, pc := range s {
		b.WriteString(strconv.FormatUint(uint64(pc), 36))
		b.WriteByte(',')
	}
	b.WriteByte(';')
}
