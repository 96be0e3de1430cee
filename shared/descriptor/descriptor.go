// Package descriptor parses, normalises and derives Bitcoin output script
// descriptors: BIP380 (general syntax, key expressions, checksum), BIP381
// (pk, pkh, sh), BIP382 (wpkh, wsh), BIP383 (multi, sortedmulti), BIP384
// (combo), BIP385 (raw, addr), BIP386 (tr), BIP387 (multi_a, sortedmulti_a)
// and BIP389 (multipath <a;b;...> key steps). It is pure Go, does no I/O, and
// builds for js/wasm.
package descriptor

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil"

	"github.com/specterpwa/specter/shared/network"
)

// ScriptType names the output script form of a descriptor (BIP381-386).
type ScriptType int

// The script types. Bare is a top-level multi()/sortedmulti().
const (
	Unknown ScriptType = iota
	PK                 // pk(KEY), BIP381
	PKH                // pkh(KEY), BIP381
	WPKH               // wpkh(KEY), BIP382
	SHWPKH             // sh(wpkh(KEY)), BIP381+382
	SH                 // sh(SCRIPT) other than wpkh/wsh, BIP381
	WSH                // wsh(SCRIPT), BIP382
	SHWSH              // sh(wsh(SCRIPT)), BIP381+382
	TR                 // tr(KEY[,TREE]), BIP386
	Bare               // top-level multi()/sortedmulti(), BIP383
	Combo              // combo(KEY), BIP384
	Raw                // raw(HEX), BIP385
	Addr               // addr(ADDR), BIP385
)

var scriptTypeNames = [...]string{"unknown", "pk", "pkh", "wpkh", "sh-wpkh", "sh", "wsh", "sh-wsh", "tr", "bare", "combo", "raw", "addr"}

// String returns a short lowercase name such as "wsh" or "sh-wpkh".
func (t ScriptType) String() string {
	if t < 0 || int(t) >= len(scriptTypeNames) {
		return "unknown"
	}
	return scriptTypeNames[t]
}

// fn is a script expression function.
type fn int

const (
	fnPK fn = iota
	fnPKH
	fnWPKH
	fnSH
	fnWSH
	fnMulti
	fnSortedMulti
	fnCombo
	fnRaw
	fnAddr
	fnTR
	fnMultiA
	fnSortedMultiA
)

var fnNames = map[string]fn{
	"pk": fnPK, "pkh": fnPKH, "wpkh": fnWPKH, "sh": fnSH, "wsh": fnWSH, "multi": fnMulti,
	"sortedmulti": fnSortedMulti, "combo": fnCombo, "raw": fnRaw, "addr": fnAddr, "tr": fnTR,
	"multi_a": fnMultiA, "sortedmulti_a": fnSortedMultiA,
}

// fnText is the name of each fn, in the order of the constants.
var fnText = [...]string{"pk", "pkh", "wpkh", "sh", "wsh", "multi", "sortedmulti", "combo", "raw", "addr", "tr", "multi_a", "sortedmulti_a"}

func (f fn) String() string { return fnText[f] }

// Limits from BIP383, BIP387 and Bitcoin Core's policy.
const (
	maxMultiKeys      = 20  // multi()/sortedmulti() inside wsh()
	maxBareMultiKeys  = 3   // top-level multi()
	maxMultiAKeys     = 999 // multi_a()
	maxP2SHScriptSize = 520 // redeemScript limit
	maxTapTreeDepth   = 128 // BIP341 control block limit
)

// node is one script expression.
type node struct {
	fn   fn
	keys []*KeyExpr
	k    int    // multisig threshold
	sub  *node  // sh(), wsh()
	raw  []byte // raw()
	addr btcutil.Address
	tree *tapNode // tr() script tree, nil for key-path only
}

// tapNode is a TREE expression: a leaf script or a {left,right} pair.
type tapNode struct {
	leaf        *node
	left, right *tapNode
}

// Descriptor is a parsed output script descriptor. It is immutable and safe
// for concurrent use.
type Descriptor struct {
	top       *node
	pathCount int
}

// context is where a script expression appears.
type context int

const (
	ctxTop context = iota
	ctxSH
	ctxWSH
	ctxTap
)

// Parse reads an output descriptor (BIP380-386, BIP387 multi_a, BIP389). The
// "#checksum" suffix is optional; when present it must match.
func Parse(s string) (*Descriptor, error) {
	body, err := splitChecksum(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("descriptor: %w", err)
	}
	if i := strings.IndexByte(body, ' '); i >= 0 {
		return nil, fmt.Errorf("descriptor: a space at position %d: descriptors have no spaces, remove it", i+1)
	}
	top, err := parseScript(body, ctxTop)
	if err != nil {
		return nil, fmt.Errorf("descriptor: %w", err)
	}
	d := &Descriptor{top: top, pathCount: 1}
	for _, k := range top.allKeys() {
		if k.Multipath == nil {
			continue
		}
		if d.pathCount == 1 {
			d.pathCount = len(k.Multipath)
		} else if d.pathCount != len(k.Multipath) {
			return nil, fmt.Errorf("descriptor: multipath steps have different lengths (%d and %d): every <a;b;...> in a descriptor must list the same number of values (BIP389)", d.pathCount, len(k.Multipath))
		}
	}
	return d, nil
}

// splitArgs splits a function's argument list at the commas that are not
// nested inside (), {} or [].
func splitArgs(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '{', '[':
			depth++
		case ')', '}', ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// splitCall reads NAME(ARGS) and checks the parentheses balance.
func splitCall(s string) (name, args string, ok bool) {
	open := strings.IndexByte(s, '(')
	if open <= 0 || !strings.HasSuffix(s, ")") {
		return "", "", false
	}
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 && i != len(s)-1 {
				return "", "", false
			}
		}
	}
	if depth != 0 {
		return "", "", false
	}
	return s[:open], s[open+1 : len(s)-1], true
}

func parseScript(s string, ctx context) (*node, error) {
	if s == "" {
		if ctx == ctxTop {
			return nil, fmt.Errorf("the descriptor is empty")
		}
		return nil, fmt.Errorf("a script expression is missing")
	}
	name, args, ok := splitCall(s)
	if !ok {
		if ctx == ctxTop || ctx == ctxTap {
			return nil, fmt.Errorf("%s is not a script expression such as wpkh(KEY) or wsh(multi(...)): check the parentheses", abbrev(s))
		}
		return nil, fmt.Errorf("%s is not a script expression: sh() and wsh() take a script such as multi(...) or wpkh(KEY), not a bare key", abbrev(s))
	}
	f, known := fnNames[name]
	if !known {
		return nil, fmt.Errorf("unknown script expression %q: supported are pk, pkh, wpkh, sh, wsh, multi, sortedmulti, combo, raw, addr, tr, multi_a, sortedmulti_a", name)
	}
	if err := checkContext(f, ctx); err != nil {
		return nil, err
	}
	n := &node{fn: f}
	keyCtx := keyLegacy
	switch ctx {
	case ctxWSH:
		keyCtx = keySegwit
	case ctxTap:
		keyCtx = keyTaproot
	}
	switch f {
	case fnPK, fnPKH, fnWPKH, fnCombo:
		if f == fnWPKH {
			keyCtx = keySegwit
		}
		if strings.Contains(args, "(") {
			return nil, fmt.Errorf("%s() takes a key expression, not a script: %s", name, abbrev(args))
		}
		if len(splitArgs(args)) > 1 {
			return nil, fmt.Errorf("%s() takes exactly one key", name)
		}
		k, err := parseKey(args, keyCtx)
		if err != nil {
			return nil, fmt.Errorf("%s(): %w", name, err)
		}
		n.keys = []*KeyExpr{k}
	case fnSH, fnWSH:
		if len(splitArgs(args)) > 1 {
			return nil, fmt.Errorf("%s() takes exactly one script", name)
		}
		sub := ctxSH
		if f == fnWSH {
			sub = ctxWSH
		}
		inner, err := parseScript(args, sub)
		if err != nil {
			return nil, fmt.Errorf("%s(): %w", name, err)
		}
		n.sub = inner
		if f == fnSH {
			if size := inner.scriptSize(); size > maxP2SHScriptSize {
				return nil, fmt.Errorf("sh(): the redeem script is %d bytes, more than the P2SH limit of %d: use wsh() or sh(wsh()) for large multisig", size, maxP2SHScriptSize)
			}
		}
	case fnMulti, fnSortedMulti, fnMultiA, fnSortedMultiA:
		parts := splitArgs(args)
		if len(parts) < 2 {
			return nil, fmt.Errorf("%s() needs a threshold and at least one key: %s(k,KEY,...)", name, name)
		}
		k, err := parseThreshold(parts[0])
		if err != nil {
			return nil, fmt.Errorf("%s(): %w", name, err)
		}
		n.k = k
		for _, p := range parts[1:] {
			key, err := parseKey(p, keyCtx)
			if err != nil {
				return nil, fmt.Errorf("%s(): %w", name, err)
			}
			n.keys = append(n.keys, key)
		}
		max := maxMultiKeys
		switch {
		case f == fnMultiA || f == fnSortedMultiA:
			max = maxMultiAKeys
		case ctx == ctxTop:
			max = maxBareMultiKeys
		}
		if len(n.keys) > max {
			where := "in wsh() or sh()"
			if ctx == ctxTop {
				where = "in bare (top-level) multisig"
			} else if max == maxMultiAKeys {
				where = "in multi_a()"
			}
			return nil, fmt.Errorf("%s(): %d keys is more than the %d allowed %s", name, len(n.keys), max, where)
		}
		if k > len(n.keys) {
			return nil, fmt.Errorf("%s(): threshold %d is larger than the number of keys (%d)", name, k, len(n.keys))
		}
	case fnRaw:
		if args == "" || !isHex(args) || len(args)%2 != 0 {
			return nil, fmt.Errorf("raw(): %s is not a hex script", abbrev(args))
		}
		n.raw, _ = hex.DecodeString(args)
	case fnAddr:
		a, err := decodeAnyNetwork(args)
		if err != nil {
			return nil, fmt.Errorf("addr(): %w", err)
		}
		n.addr = a
	case fnTR:
		parts := splitArgs(args)
		if len(parts) > 2 {
			return nil, fmt.Errorf("tr() takes a key and at most one tree: tr(KEY) or tr(KEY,TREE); write several leaves as {A,B}")
		}
		k, err := parseKey(parts[0], keyTaproot)
		if err != nil {
			return nil, fmt.Errorf("tr(): %w", err)
		}
		n.keys = []*KeyExpr{k}
		if len(parts) == 2 {
			if n.tree, err = parseTree(parts[1], 0); err != nil {
				return nil, fmt.Errorf("tr(): %w", err)
			}
		}
	}
	return n, nil
}

func checkContext(f fn, ctx context) error {
	switch f {
	case fnSH:
		if ctx != ctxTop {
			return fmt.Errorf("sh() is only allowed at the top level (BIP381)")
		}
	case fnWSH:
		if ctx != ctxTop && ctx != ctxSH {
			return fmt.Errorf("wsh() is only allowed at the top level or inside sh() (BIP382)")
		}
	case fnWPKH:
		if ctx != ctxTop && ctx != ctxSH {
			return fmt.Errorf("wpkh() is only allowed at the top level or inside sh() (BIP382)")
		}
	case fnPKH:
		if ctx == ctxTap {
			return fmt.Errorf("pkh() is not allowed inside tr(): use pk() (BIP386)")
		}
	case fnMulti, fnSortedMulti:
		if ctx == ctxTap {
			return fmt.Errorf("%s() is not allowed inside tr(): use %s_a() (BIP387)", f, f)
		}
	case fnMultiA, fnSortedMultiA:
		if ctx != ctxTap {
			return fmt.Errorf("%s() is only allowed inside tr() (BIP387)", f)
		}
	case fnCombo, fnRaw, fnAddr, fnTR:
		if ctx != ctxTop {
			return fmt.Errorf("%s() is only allowed at the top level (BIP384, BIP385, BIP386)", f)
		}
	}
	return nil
}

func parseThreshold(s string) (int, error) {
	if s == "" || len(s) > 9 || strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, fmt.Errorf("threshold %q is not a decimal number", s)
	}
	k, _ := strconv.Atoi(s)
	if k < 1 {
		return 0, fmt.Errorf("threshold must be at least 1, got %d", k)
	}
	return k, nil
}

func parseTree(s string, depth int) (*tapNode, error) {
	if depth > maxTapTreeDepth {
		return nil, fmt.Errorf("script tree is deeper than %d levels (BIP341 limit)", maxTapTreeDepth)
	}
	if strings.HasPrefix(s, "{") {
		if !strings.HasSuffix(s, "}") {
			return nil, fmt.Errorf("tree %s: '{' without a matching '}'", abbrev(s))
		}
		parts := splitArgs(s[1 : len(s)-1])
		if len(parts) != 2 {
			return nil, fmt.Errorf("tree %s: a branch {A,B} holds exactly two subtrees", abbrev(s))
		}
		l, err := parseTree(parts[0], depth+1)
		if err != nil {
			return nil, err
		}
		r, err := parseTree(parts[1], depth+1)
		if err != nil {
			return nil, err
		}
		return &tapNode{left: l, right: r}, nil
	}
	leaf, err := parseScript(s, ctxTap)
	if err != nil {
		return nil, err
	}
	return &tapNode{leaf: leaf}, nil
}

// decodeAnyNetwork decodes an address of any of the supported networks.
func decodeAnyNetwork(s string) (btcutil.Address, error) {
	for _, n := range network.All {
		if a, err := n.DecodeAddress(s); err == nil {
			return a, nil
		}
	}
	return nil, fmt.Errorf("%s is not a valid Bitcoin address for main, test, signet or regtest", abbrev(s))
}

// scriptSize is the size in bytes of the script a node produces; it does not
// depend on the derivation index.
func (n *node) scriptSize() int {
	keyLen := func(k *KeyExpr) int {
		if k.compressed {
			return 33
		}
		return 65
	}
	switch n.fn {
	case fnPK:
		return 2 + keyLen(n.keys[0])
	case fnPKH:
		return 25
	case fnWPKH:
		return 22
	case fnWSH:
		return 34
	case fnMulti, fnSortedMulti:
		size := len(pushInt(n.k)) + len(pushInt(len(n.keys))) + 1
		for _, k := range n.keys {
			size += 1 + keyLen(k)
		}
		return size
	}
	return 0
}

// allKeys lists the key expressions in script order.
func (n *node) allKeys() []*KeyExpr {
	out := append([]*KeyExpr(nil), n.keys...)
	if n.sub != nil {
		out = append(out, n.sub.allKeys()...)
	}
	if n.tree != nil {
		for _, l := range n.tree.leaves() {
			out = append(out, l.allKeys()...)
		}
	}
	return out
}

func (t *tapNode) leaves() []*node {
	if t.leaf != nil {
		return []*node{t.leaf}
	}
	return append(t.left.leaves(), t.right.leaves()...)
}

// String returns the normalised descriptor with its "#checksum": hardened
// steps written h, keys as given (SLIP-132 versions normalised to xpub/tpub,
// hex lowercased).
func (d *Descriptor) String() string {
	s := d.StringNoChecksum()
	sum, err := Checksum(s)
	if err != nil { // cannot happen: every printed character is in the set
		return s
	}
	return s + "#" + sum
}

// StringNoChecksum returns the normalised descriptor without "#checksum".
func (d *Descriptor) StringNoChecksum() string {
	var b strings.Builder
	d.top.write(&b)
	return b.String()
}

func (n *node) write(b *strings.Builder) {
	b.WriteString(n.fn.String())
	b.WriteByte('(')
	switch n.fn {
	case fnSH, fnWSH:
		n.sub.write(b)
	case fnRaw:
		b.WriteString(hex.EncodeToString(n.raw))
	case fnAddr:
		b.WriteString(n.addr.String())
	case fnMulti, fnSortedMulti, fnMultiA, fnSortedMultiA:
		b.WriteString(strconv.Itoa(n.k))
		for _, k := range n.keys {
			b.WriteByte(',')
			b.WriteString(k.String())
		}
	default:
		b.WriteString(n.keys[0].String())
		if n.tree != nil {
			b.WriteByte(',')
			n.tree.write(b)
		}
	}
	b.WriteByte(')')
}

func (t *tapNode) write(b *strings.Builder) {
	if t.leaf != nil {
		t.leaf.write(b)
		return
	}
	b.WriteByte('{')
	t.left.write(b)
	b.WriteByte(',')
	t.right.write(b)
	b.WriteByte('}')
}

// IsRange reports whether any key ends in a /* wildcard (BIP380 ranged descriptor).
func (d *Descriptor) IsRange() bool {
	for _, k := range d.top.allKeys() {
		if k.Wildcard {
			return true
		}
	}
	return false
}

// PathCount is 1, or the number of branches of a BIP389 <a;b;...> multipath descriptor.
func (d *Descriptor) PathCount() int { return d.pathCount }

// Branch returns the single-path descriptor of BIP389 branch i (for <0;1>:
// 0 receive, 1 change). A descriptor without multipath has one branch, 0.
func (d *Descriptor) Branch(i int) (*Descriptor, error) {
	if i < 0 || i >= d.pathCount {
		return nil, fmt.Errorf("descriptor has %d branch(es): branch %d does not exist", d.pathCount, i)
	}
	if d.pathCount == 1 {
		return d, nil
	}
	return &Descriptor{top: d.top.branch(i), pathCount: 1}, nil
}

func (n *node) branch(i int) *node {
	c, _ := n.mapKeys(func(k *KeyExpr) (*KeyExpr, error) { return k.branch(i), nil })
	return c
}

// Public returns the descriptor without private keys (BIP380 normalisation
// for export): WIF keys become hex public keys (x-only inside tr()), xprv
// keys become the xpub at their last hardened step with those steps added
// to the key origin. It fails for keys that have no public form (a /*h
// wildcard, hardened multipath values). A public descriptor returns itself.
func (d *Descriptor) Public() (*Descriptor, error) {
	top, err := d.top.mapKeys(func(k *KeyExpr) (*KeyExpr, error) { return k.publicForm() })
	if err != nil {
		return nil, fmt.Errorf("descriptor: %w", err)
	}
	return &Descriptor{top: top, pathCount: d.pathCount}, nil
}

// HasPrivateKeys reports whether any key is a WIF or an xprv/tprv.
func (d *Descriptor) HasPrivateKeys() bool {
	for _, k := range d.top.allKeys() {
		if k.Private {
			return true
		}
	}
	return false
}

func (n *node) mapKeys(f func(*KeyExpr) (*KeyExpr, error)) (*node, error) {
	c := *n
	c.keys = make([]*KeyExpr, len(n.keys))
	var err error
	for j, k := range n.keys {
		if c.keys[j], err = f(k); err != nil {
			return nil, err
		}
	}
	if n.sub != nil {
		if c.sub, err = n.sub.mapKeys(f); err != nil {
			return nil, err
		}
	}
	if n.tree != nil {
		if c.tree, err = n.tree.mapKeys(f); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

func (t *tapNode) mapKeys(f func(*KeyExpr) (*KeyExpr, error)) (*tapNode, error) {
	if t.leaf != nil {
		leaf, err := t.leaf.mapKeys(f)
		if err != nil {
			return nil, err
		}
		return &tapNode{leaf: leaf}, nil
	}
	l, err := t.left.mapKeys(f)
	if err != nil {
		return nil, err
	}
	r, err := t.right.mapKeys(f)
	if err != nil {
		return nil, err
	}
	return &tapNode{left: l, right: r}, nil
}

// ScriptType returns the output script form, e.g. WSH for wsh(sortedmulti(...)).
func (d *Descriptor) ScriptType() ScriptType {
	switch d.top.fn {
	case fnPK:
		return PK
	case fnPKH:
		return PKH
	case fnWPKH:
		return WPKH
	case fnSH:
		switch d.top.sub.fn {
		case fnWPKH:
			return SHWPKH
		case fnWSH:
			return SHWSH
		}
		return SH
	case fnWSH:
		return WSH
	case fnTR:
		return TR
	case fnMulti, fnSortedMulti:
		return Bare
	case fnCombo:
		return Combo
	case fnRaw:
		return Raw
	case fnAddr:
		return Addr
	}
	return Unknown
}

// Threshold returns the multisig m-of-n of the descriptor's (innermost)
// multi()/sortedmulti(); (1,1) for single-key scripts; for tr() it is (1,1)
// for a key-path-only output and, when the tree holds exactly one
// multi_a()/sortedmulti_a() leaf, that leaf's m-of-n; (0,0) for raw()/addr().
func (d *Descriptor) Threshold() (m, n int) {
	cur := d.top
	for cur.sub != nil {
		cur = cur.sub
	}
	switch cur.fn {
	case fnMulti, fnSortedMulti:
		return cur.k, len(cur.keys)
	case fnRaw, fnAddr:
		return 0, 0
	case fnTR:
		if cur.tree != nil {
			var multi []*node
			for _, l := range cur.tree.leaves() {
				if l.fn == fnMultiA || l.fn == fnSortedMultiA {
					multi = append(multi, l)
				}
			}
			if len(multi) == 1 {
				return multi[0].k, len(multi[0].keys)
			}
		}
	}
	return 1, 1
}

// Keys returns every key expression in script order (for tr(): the internal
// key, then the leaves' keys left to right). The values are copies.
func (d *Descriptor) Keys() []KeyExpr {
	all := d.top.allKeys()
	out := make([]KeyExpr, len(all))
	for i, k := range all {
		out[i] = k.public()
	}
	return out
}
