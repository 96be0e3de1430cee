package walletfile

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
)

// maxFileSize bounds the files this package reads: wallet setups are a few
// kilobytes; Electrum files with history can reach a few megabytes.
const maxFileSize = 16 << 20

// addrClaim is an address a file states for an index of a branch.
type addrClaim struct {
	branch  int // 0 receive, 1 change
	index   uint32
	address string
	where   string // the file field, for messages
}

// builder collects what a file says besides its descriptor and turns both
// into a verified WalletSetup.
type builder struct {
	name     string
	stated   network.Network // network the file states, "" when it says none
	notFile  bool            // the setup is built, not read: "the file says" does not fit messages
	opts     Options
	birthday int64
	meta     []Device // per key, in descriptor key order: Name and Type (may be shorter)
	addrs    []addrClaim
	m, n     int // the file's own statement of the threshold, 0 when none
	warnings []string
}

// build normalises desc, verifies it against what the file claims, and
// returns the import.
func (b *builder) build(desc *descriptor.Descriptor) (*Imported, error) {
	d, err := normalise(desc)
	if err != nil {
		return nil, err
	}
	if err := checkOrigins(d); err != nil {
		return nil, err
	}
	net, err := resolveNetwork(d, b.stated, b.opts.Network, b.addrs, b.notFile)
	if err != nil {
		return nil, err
	}
	for _, c := range b.addrs {
		if err := checkAddress(d, net, c); err != nil {
			return nil, err
		}
	}
	m, n := d.Threshold()
	if b.m != 0 && (b.m != m || b.n != n) {
		return nil, fmt.Errorf("the file states a %d-of-%d policy but its keys and descriptor make %d-of-%d", b.m, b.n, m, n)
	}
	if b.birthday < 0 {
		return nil, fmt.Errorf("the block height %d is negative", b.birthday)
	}
	devs, err := devicesOf(d, b.meta)
	if err != nil {
		return nil, err
	}
	return &Imported{
		Setup: WalletSetup{
			Name:           b.name,
			Network:        net,
			Descriptor:     d.String(),
			BirthdayHeight: b.birthday,
			Devices:        devs,
			M:              m,
			N:              n,
		},
		Warnings: b.warnings,
	}, nil
}

// isExtended reports whether a key expression holds an extended key.
func isExtended(k *descriptor.KeyExpr) bool {
	return strings.HasPrefix(k.Xpub, "xpub") || strings.HasPrefix(k.Xpub, "tpub")
}

// normalise returns the public descriptor of a wallet with a receive and a
// change branch written as one BIP389 <0;1> descriptor: a descriptor whose
// extended keys all end in /0/* becomes /<0;1>/*, and one whose extended
// keys have no derivation at all (as Sparrow writes them) gets /<0;1>/*.
// Other descriptors are kept as they are (single branch).
func normalise(d *descriptor.Descriptor) (*descriptor.Descriptor, error) {
	if d.HasPrivateKeys() {
		return nil, errors.New("the descriptor holds private keys: a wallet setup holds public keys only; export the public (watch-only) descriptor and keep the private keys on the signer")
	}
	ks := d.Keys()
	if d.PathCount() > 1 {
		for i := range ks {
			if ks[i].Multipath != nil && !slices.Equal(ks[i].Multipath, []uint32{0, 1}) {
				return nil, fmt.Errorf("key %d uses the multipath step %s: only <0;1> (receive 0, change 1) is supported", i+1, multipathString(ks[i].Multipath))
			}
		}
		return d, nil
	}
	text := d.StringNoChecksum()
	replaced := false
	allBare := !d.IsRange()
	for i := range ks {
		if !isExtended(&ks[i]) || len(ks[i].Path) > 0 || ks[i].Wildcard {
			allBare = false
		}
	}
	switch {
	case allBare && len(ks) > 0:
		for i := range ks {
			s := ks[i].String()
			text = replaceKey(text, s, s+"/<0;1>/*")
		}
		replaced = true
	case d.IsRange():
		var receive, change int
		for i := range ks {
			k := &ks[i]
			if !k.Wildcard || k.Hardened || len(k.Path) == 0 {
				continue
			}
			switch k.Path[len(k.Path)-1] {
			case 0:
				receive++
			case 1:
				change++
			}
		}
		if change > 0 && receive == 0 {
			return nil, errors.New("this is a change descriptor (its keys end in /1/*): give the receive descriptor (/0/*) or both")
		}
		if receive == len(ks) {
			for i := range ks {
				s := ks[i].String()
				text = replaceKey(text, s, strings.TrimSuffix(s, "/0/*")+"/<0;1>/*")
			}
			replaced = true
		}
	}
	if !replaced {
		return d, nil
	}
	out, err := descriptor.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("adding the change branch to the descriptor: %w", err)
	}
	recv, err := out.Branch(0)
	if err != nil {
		return nil, fmt.Errorf("adding the change branch to the descriptor: %w", err)
	}
	if allBare {
		return out, nil
	}
	if recv.StringNoChecksum() != d.StringNoChecksum() {
		return nil, fmt.Errorf("adding the change branch changed the receive descriptor (%s instead of %s)", recv.StringNoChecksum(), d.StringNoChecksum())
	}
	return out, nil
}

// combine joins a receive descriptor (/0/*) and its change descriptor
// (/1/*) into one <0;1> descriptor, checking they differ in nothing else.
func combine(recv, change *descriptor.Descriptor) (*descriptor.Descriptor, error) {
	if recv.PathCount() != 1 || change.PathCount() != 1 {
		return nil, errors.New("give either one <0;1> descriptor or a receive and a change descriptor, not a mix")
	}
	d, err := normalise(recv)
	if err != nil {
		return nil, fmt.Errorf("receive descriptor: %w", err)
	}
	if d.PathCount() != 2 {
		return nil, errors.New("the receive descriptor's keys must all end in /0/* for a change descriptor to go with it")
	}
	ch, err := d.Branch(1)
	if err != nil {
		return nil, err
	}
	if ch.StringNoChecksum() != change.StringNoChecksum() {
		return nil, fmt.Errorf("the change descriptor does not match the receive descriptor: expected %s (the receive descriptor with /1/* in place of /0/*), found %s", ch.StringNoChecksum(), change.StringNoChecksum())
	}
	return d, nil
}

// replaceKey replaces the key expression old by new in a descriptor where it
// is followed by ',' or ')' (a whole key, not the prefix of a longer one).
func replaceKey(desc, old, new string) string {
	var b strings.Builder
	for {
		i := strings.Index(desc, old)
		if i < 0 {
			b.WriteString(desc)
			return b.String()
		}
		end := i + len(old)
		if end < len(desc) && (desc[end] == ',' || desc[end] == ')') {
			b.WriteString(desc[:i])
			b.WriteString(new)
		} else {
			b.WriteString(desc[:end])
		}
		desc = desc[end:]
	}
}

func multipathString(mp []uint32) string {
	parts := make([]string, len(mp))
	for i, v := range mp {
		parts[i] = keys.Path{v}.String()
	}
	return "<" + strings.Join(parts, ";") + ">"
}

// checkOrigins checks each extended key against its origin where the key
// itself can tell (BIP32 serialisation: depth, child number, parent
// fingerprint): the depth must equal the origin path's length, the child
// number its last step, the parent fingerprint the master fingerprint at
// depth 1 and the key's own fingerprint the master fingerprint at depth 0.
func checkOrigins(d *descriptor.Descriptor) error {
	ks := d.Keys()
	for i := range ks {
		k := &ks[i]
		if k.Origin == nil || !isExtended(k) {
			continue
		}
		ek, err := keys.ParseExtendedKey(k.Xpub)
		if err != nil {
			return fmt.Errorf("key %d: %w", i+1, err)
		}
		if err := checkKeyOrigin(ek, *k.Origin); err != nil {
			return fmt.Errorf("key %d [%s]%s…: %w", i+1, k.Origin.String(), k.Xpub[:12], err)
		}
	}
	return nil
}

// checkKeyOrigin checks an extended key against its origin (see
// checkOrigins).
func checkKeyOrigin(ek *keys.ExtendedKey, o keys.Origin) error {
	key := ek.Key
	if int(key.Depth()) != len(o.Path) {
		return fmt.Errorf("the key is at depth %d but its origin path has %d steps: the origin does not belong to this key", key.Depth(), len(o.Path))
	}
	if len(o.Path) == 0 {
		fp, err := keys.KeyFingerprint(key)
		if err != nil {
			return err
		}
		if fp != o.Fingerprint {
			return fmt.Errorf("this master key's fingerprint is %s, not %s", fp, o.Fingerprint)
		}
		return nil
	}
	if key.ChildIndex() != o.Path[len(o.Path)-1] {
		return fmt.Errorf("the key is child %s but its origin path ends in %s: the origin does not belong to this key", keys.Path{key.ChildIndex()}.StringApostrophe(), o.Path[len(o.Path)-1:].StringApostrophe())
	}
	if len(o.Path) == 1 && key.ParentFingerprint() != o.Fingerprint.BigEndianUint32() {
		return fmt.Errorf("the key's parent fingerprint is %08x, so its master is not %s", key.ParentFingerprint(), o.Fingerprint)
	}
	return nil
}

// resolveNetwork picks the network: the one the file states (which the keys
// and addresses must fit), or the one the keys and addresses allow, the
// hint deciding between several.
func resolveNetwork(d *descriptor.Descriptor, stated, hint network.Network, addrs []addrClaim, notFile bool) (network.Network, error) {
	var cands []network.Network
	for _, n := range network.All {
		if d.CheckNetwork(n) == nil {
			cands = append(cands, n)
		}
	}
	if len(cands) == 0 {
		return "", errors.New("the descriptor mixes keys of mainnet and of the test networks")
	}
	for _, c := range addrs {
		var keep []network.Network
		for _, n := range cands {
			if addressOn(c.address, n) {
				keep = append(keep, n)
			}
		}
		if len(keep) == 0 {
			return "", fmt.Errorf("the %s %q is not an address of the network of the keys (%s)", c.where, c.address, netNames(cands))
		}
		cands = keep
	}
	if stated != "" {
		if !slices.Contains(cands, stated) {
			if notFile {
				return "", fmt.Errorf("the wallet is to be on %s, but its keys are for %s", stated, netNames(cands))
			}
			return "", fmt.Errorf("the file says the wallet is on %s, but its keys and addresses are for %s", stated, netNames(cands))
		}
		return stated, nil
	}
	if hint != "" && slices.Contains(cands, hint) {
		return hint, nil
	}
	if len(cands) == len(network.All) {
		return network.Main, nil // plain public keys and no address: any network, mainnet by default
	}
	if slices.Contains(cands, network.Test) {
		return network.Test, nil
	}
	return cands[0], nil
}

func netNames(ns []network.Network) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = string(n)
	}
	return strings.Join(s, " or ")
}

// addressOn reports whether addr is an address of net.
func addressOn(addr string, net network.Network) bool {
	_, err := net.DecodeAddress(addr)
	return err == nil
}

// checkAddress derives the address a file states and compares.
func checkAddress(d *descriptor.Descriptor, net network.Network, c addrClaim) error {
	br := d
	if d.PathCount() > 1 {
		var err error
		if br, err = d.Branch(c.branch); err != nil {
			return fmt.Errorf("%s: %w", c.where, err)
		}
	} else if c.branch != 0 {
		return nil // a single-branch wallet has no change addresses to compare
	}
	got, err := br.Address(c.index, net)
	if err != nil {
		return fmt.Errorf("%s: deriving address %d: %w", c.where, c.index, err)
	}
	if got != c.address && !(isBech32(c.address) && strings.EqualFold(got, c.address)) {
		branch := "receive"
		if c.branch == 1 {
			branch = "change"
		}
		return fmt.Errorf("the %s is %s but the descriptor's %s address %d is %s: the file's keys or policy do not give its addresses, do not use it", c.where, c.address, branch, c.index, got)
	}
	return nil
}

func isBech32(a string) bool {
	l := strings.ToLower(a)
	return strings.HasPrefix(l, "bc1") || strings.HasPrefix(l, "tb1") || strings.HasPrefix(l, "bcrt1")
}

// devicesOf lists the keys of d as devices (once each), with names and
// types from meta by key position.
func devicesOf(d *descriptor.Descriptor, meta []Device) ([]Device, error) {
	ks := d.Keys()
	var out []Device
	seen := map[string]bool{}
	for i := range ks {
		k := &ks[i]
		dev := Device{Xpub: k.Xpub}
		if k.Origin != nil {
			dev.Fingerprint = k.Origin.Fingerprint
			dev.Path = slices.Clone(k.Origin.Path)
		} else {
			dev.Fingerprint = k.SelfFingerprint()
		}
		if dev.Path == nil {
			dev.Path = keys.Path{}
		}
		if i < len(meta) {
			dev.Name, dev.Type = meta[i].Name, meta[i].Type
		}
		id := dev.Fingerprint.String() + "/" + dev.Path.String() + "/" + dev.Xpub
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, dev)
	}
	return out, nil
}

// wallet is a setup verified for export.
type wallet struct {
	setup WalletSetup
	desc  *descriptor.Descriptor
	keys  []descriptor.KeyExpr
}

// loadSetup verifies a WalletSetup before export: its descriptor parses and
// is normalised, fits its network, M and N; devices match the keys.
func loadSetup(s WalletSetup) (*wallet, error) {
	if _, err := network.Parse(string(s.Network)); err != nil {
		return nil, fmt.Errorf("setup network: %w", err)
	}
	d0, err := descriptor.Parse(s.Descriptor)
	if err != nil {
		return nil, fmt.Errorf("setup descriptor: %w", err)
	}
	d, err := normalise(d0)
	if err != nil {
		return nil, fmt.Errorf("setup descriptor: %w", err)
	}
	if err := d.CheckNetwork(s.Network); err != nil {
		return nil, fmt.Errorf("setup descriptor: %w", err)
	}
	m, n := d.Threshold()
	if (s.M != 0 || s.N != 0) && (s.M != m || s.N != n) {
		return nil, fmt.Errorf("the setup says %d-of-%d but its descriptor is %d-of-%d", s.M, s.N, m, n)
	}
	s.M, s.N = m, n
	s.Descriptor = d.String()
	return &wallet{setup: s, desc: d, keys: d.Keys()}, nil
}

// device returns the setup's device for key i (matched by key), or a
// device made from the key alone.
func (w *wallet) device(i int) Device {
	k := &w.keys[i]
	for _, dv := range w.setup.Devices {
		if dv.Xpub == k.Xpub {
			return dv
		}
	}
	dv := Device{Xpub: k.Xpub}
	if k.Origin != nil {
		dv.Fingerprint, dv.Path = k.Origin.Fingerprint, k.Origin.Path
	} else {
		dv.Fingerprint = k.SelfFingerprint()
	}
	return dv
}

// multisig describes a wallet in the shape the multisig-only formats
// (Coldcard, Electrum, Caravan) support: sortedmulti under wsh, sh-wsh or
// sh, every key an extended key with an origin and the standard <0;1>/*
// derivation.
type multisig struct {
	script descriptor.ScriptType // WSH, SHWSH or SH
	m      int
	keys   []descriptor.KeyExpr
}

// asSortedMulti checks the wallet fits the multisig-only formats.
func (w *wallet) asSortedMulti(format string) (*multisig, error) {
	st := w.desc.ScriptType()
	text := w.desc.StringNoChecksum()
	inner := ""
	switch st {
	case descriptor.WSH:
		inner = strings.TrimSuffix(strings.TrimPrefix(text, "wsh("), ")")
	case descriptor.SHWSH:
		inner = strings.TrimSuffix(strings.TrimPrefix(text, "sh(wsh("), "))")
	case descriptor.SH:
		inner = strings.TrimSuffix(strings.TrimPrefix(text, "sh("), ")")
	default:
		return nil, fmt.Errorf("%s files hold sortedmulti multisig under wsh, sh(wsh) or sh; this wallet is %s", format, st)
	}
	if !strings.HasPrefix(inner, "sortedmulti(") {
		return nil, fmt.Errorf("%s files hold sortedmulti (BIP67) multisig only; this wallet's script is %s", format, abbrevDesc(inner))
	}
	for i := range w.keys {
		k := &w.keys[i]
		if !isExtended(k) || k.Origin == nil {
			return nil, fmt.Errorf("%s files need every key as [fingerprint/path]xpub; key %d has no origin or is not an extended key", format, i+1)
		}
		if len(k.Path) != 1 || k.Multipath == nil || !k.Wildcard {
			return nil, fmt.Errorf("%s files assume keys derived as xpub/<0;1>/*; key %d is %s", format, i+1, k.String())
		}
	}
	m, _ := w.desc.Threshold()
	return &multisig{script: st, m: m, keys: w.keys}, nil
}

func abbrevDesc(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
