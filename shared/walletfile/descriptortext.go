package walletfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/specterpwa/specter/shared/descriptor"
)

// descriptorFuncs are the top-level functions of BIP380-386 descriptors a
// wallet can use.
var descriptorFuncs = []string{"wsh(", "sh(", "wpkh(", "pkh(", "tr(", "pk(", "multi(", "sortedmulti(", "combo(", "addr(", "raw("}

// looksDescriptor reports whether every non-comment line of text starts
// like a descriptor.
func looksDescriptor(text string) bool {
	lines := contentLines(text)
	if len(lines) == 0 || len(lines) > 3 {
		return false
	}
	for _, l := range lines {
		ok := false
		for _, f := range descriptorFuncs {
			if strings.HasPrefix(l, f) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// contentLines returns the trimmed non-empty lines of text that are not
// "#" comments.
func contentLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
	}
	return out
}

// importDescriptorText reads one descriptor (a <0;1> one or a receive one)
// or a receive and a change descriptor on two lines (BIP380-389), or
// Sparrow's descriptor export: a <0;1> descriptor followed by its receive
// and change descriptors, which must be its branches.
func importDescriptorText(text string, opts Options) (*Imported, error) {
	if len(text) > maxFileSize {
		return nil, fmt.Errorf("the text is %d bytes, far more than a descriptor", len(text))
	}
	lines := contentLines(text)
	b := &builder{opts: opts}
	switch len(lines) {
	case 1:
		d, err := descriptor.Parse(lines[0])
		if err != nil {
			return nil, err
		}
		return b.build(d)
	case 2:
		d, err := pair(lines[0], lines[1])
		if err != nil {
			return nil, err
		}
		return b.build(d)
	case 3:
		d, err := descriptor.Parse(lines[0])
		if err != nil {
			return nil, err
		}
		if d.PathCount() != 2 {
			break
		}
		for i, l := range lines[1:] {
			br, err := descriptor.Parse(l)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", i+2, err)
			}
			want, err := d.Branch(i)
			if err != nil {
				return nil, err
			}
			if br.StringNoChecksum() != want.StringNoChecksum() {
				return nil, fmt.Errorf("descriptor %d is not branch %d of the <0;1> descriptor: the file's descriptors disagree", i+2, i)
			}
		}
		return b.build(d)
	case 0:
		return nil, errors.New("no descriptor found")
	}
	return nil, fmt.Errorf("%d descriptors found: give one <0;1> descriptor, or the receive descriptor and the change descriptor on two lines, or a <0;1> descriptor followed by its receive and change descriptors", len(lines))
}

// pair parses a receive and a change descriptor and joins them.
func pair(recvText, changeText string) (*descriptor.Descriptor, error) {
	recv, err := descriptor.Parse(recvText)
	if err != nil {
		return nil, fmt.Errorf("receive descriptor: %w", err)
	}
	change, err := descriptor.Parse(changeText)
	if err != nil {
		return nil, fmt.Errorf("change descriptor: %w", err)
	}
	return combine(recv, change)
}

// exportDescriptorText writes the normalised descriptor on one line.
func exportDescriptorText(w *wallet) ([]byte, error) {
	return []byte(w.desc.String() + "\n"), nil
}

// coreDescriptor is one element of listdescriptors' "descriptors" and of
// importdescriptors' request array (Bitcoin Core RPC).
type coreDescriptor struct {
	Desc      string `json:"desc"`
	Active    *bool  `json:"active,omitempty"`
	Internal  *bool  `json:"internal,omitempty"`
	Timestamp any    `json:"timestamp,omitempty"`
	Range     any    `json:"range,omitempty"`
	Next      *int64 `json:"next,omitempty"`
	Label     string `json:"label,omitempty"`
}

// coreList is the result of Bitcoin Core's listdescriptors RPC.
type coreList struct {
	WalletName  string           `json:"wallet_name"`
	Descriptors []coreDescriptor `json:"descriptors"`
}

// importCore reads Bitcoin Core's listdescriptors result or an
// importdescriptors request. It needs exactly one wallet in it: one
// descriptor, or one receive (internal false) and one change (internal
// true) descriptor among the active ones.
func importCore(text string, opts Options) (*Imported, error) {
	var list coreList
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "[") {
		if err := json.Unmarshal([]byte(t), &list.Descriptors); err != nil {
			return nil, fmt.Errorf("the importdescriptors array does not parse: %w", err)
		}
	} else if err := json.Unmarshal([]byte(t), &list); err != nil {
		return nil, fmt.Errorf("the listdescriptors JSON does not parse: %w", err)
	}
	var recv, change []string
	for i, d := range list.Descriptors {
		if d.Desc == "" {
			return nil, fmt.Errorf("descriptor %d has no \"desc\"", i+1)
		}
		if d.Active != nil && !*d.Active && len(list.Descriptors) > 2 {
			continue // an inactive descriptor of a multi-descriptor wallet
		}
		if d.Internal != nil && *d.Internal {
			change = append(change, d.Desc)
		} else {
			recv = append(recv, d.Desc)
		}
	}
	b := &builder{name: list.WalletName, opts: opts}
	switch {
	case len(recv) == 1 && len(change) == 0:
		d, err := descriptor.Parse(recv[0])
		if err != nil {
			return nil, err
		}
		return b.build(d)
	case len(recv) == 1 && len(change) == 1:
		d, err := pair(recv[0], change[0])
		if err != nil {
			return nil, err
		}
		return b.build(d)
	case len(recv) == 0:
		return nil, errors.New("no receive descriptor found (one with \"internal\": false)")
	}
	return nil, fmt.Errorf("the file holds %d receive and %d change descriptors (a Core wallet with several script types): copy the receive and change descriptor of the one you want into a descriptor import", len(recv), len(change))
}

// exportCore writes the importdescriptors request for the wallet: the
// receive and change descriptors, active, scanned from the genesis block
// ("timestamp": 0) over the first 1000 indexes.
func exportCore(w *wallet) ([]byte, error) {
	t, f := true, false
	var out []coreDescriptor
	for i := 0; i < w.desc.PathCount(); i++ {
		br, err := w.desc.Branch(i)
		if err != nil {
			return nil, err
		}
		cd := coreDescriptor{Desc: br.String(), Active: &t, Timestamp: 0}
		if w.desc.IsRange() {
			cd.Range = []int{0, 999}
		} else {
			cd.Active = &f
		}
		internal := i == 1
		cd.Internal = &internal
		out = append(out, cd)
	}
	return marshalJSON(out)
}
