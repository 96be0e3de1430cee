package ur

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// This file holds the minimal CBOR (RFC 8949) needed by BCR-2020-005 part
// headers and the BCR-2020-006 registry types: unsigned and negative
// integers, byte and text strings, arrays, maps, tags and simple values.
// Indefinite lengths and floats are refused: no UR producer uses them for
// the types handled here.

// CBOR major types (RFC 8949 section 3.1).
const (
	majorUint   = 0
	majorNint   = 1
	majorBytes  = 2
	majorText   = 3
	majorArray  = 4
	majorMap    = 5
	majorTag    = 6
	majorSimple = 7
)

// maxCBORDepth bounds nesting so hostile input cannot exhaust the stack.
const maxCBORDepth = 32

// cborItem is one decoded CBOR data item.
type cborItem struct {
	major byte
	uint  uint64 // value of uint/nint (nint means -1-uint), tag number, simple value
	bytes []byte // byte string, or UTF-8 of a text string
	items []cborItem
	pairs []cborPair
	tag   *cborItem // tagged content
}

type cborPair struct{ key, value cborItem }

func (c cborItem) isTag(numbers ...uint64) bool {
	if c.major != majorTag {
		return false
	}
	for _, n := range numbers {
		if c.uint == n {
			return true
		}
	}
	return false
}

// untag strips any of the given tags (zero or one level) from c.
func (c cborItem) untag(numbers ...uint64) cborItem {
	if c.isTag(numbers...) {
		return *c.tag
	}
	return c
}

func (c cborItem) asUint() (uint64, error) {
	if c.major != majorUint {
		return 0, fmt.Errorf("expected an unsigned integer, found %s", c.kind())
	}
	return c.uint, nil
}

func (c cborItem) asBool() (bool, error) {
	if c.major == majorSimple && (c.uint == 20 || c.uint == 21) {
		return c.uint == 21, nil
	}
	return false, fmt.Errorf("expected true or false, found %s", c.kind())
}

func (c cborItem) asBytes() ([]byte, error) {
	if c.major != majorBytes {
		return nil, fmt.Errorf("expected a byte string, found %s", c.kind())
	}
	return c.bytes, nil
}

func (c cborItem) asText() (string, error) {
	if c.major != majorText {
		return "", fmt.Errorf("expected a text string, found %s", c.kind())
	}
	return string(c.bytes), nil
}

// mapUint returns the value under unsigned integer key k of a map.
func (c cborItem) mapUint(k uint64) (cborItem, bool) {
	for _, p := range c.pairs {
		if p.key.major == majorUint && p.key.uint == k {
			return p.value, true
		}
	}
	return cborItem{}, false
}

func (c cborItem) kind() string {
	switch c.major {
	case majorUint:
		return "an unsigned integer"
	case majorNint:
		return "a negative integer"
	case majorBytes:
		return "a byte string"
	case majorText:
		return "a text string"
	case majorArray:
		return "an array"
	case majorMap:
		return "a map"
	case majorTag:
		return fmt.Sprintf("tag %d", c.uint)
	default:
		return fmt.Sprintf("simple value %d", c.uint)
	}
}

var errCBORTruncated = errors.New("CBOR data ends early")

// decodeCBOR decodes exactly one data item filling all of data.
func decodeCBOR(data []byte) (cborItem, error) {
	d := cborDecoder{data: data}
	item, err := d.item(0)
	if err != nil {
		return cborItem{}, err
	}
	if d.pos != len(data) {
		return cborItem{}, fmt.Errorf("CBOR data has %d unexpected bytes after the first item", len(data)-d.pos)
	}
	return item, nil
}

type cborDecoder struct {
	data []byte
	pos  int
}

func (d *cborDecoder) head() (major byte, arg uint64, err error) {
	if d.pos >= len(d.data) {
		return 0, 0, errCBORTruncated
	}
	b := d.data[d.pos]
	d.pos++
	major, info := b>>5, b&0x1f
	switch {
	case info < 24:
		return major, uint64(info), nil
	case info <= 27:
		n := 1 << (info - 24)
		if len(d.data)-d.pos < n {
			return 0, 0, errCBORTruncated
		}
		var v uint64
		for i := 0; i < n; i++ {
			v = v<<8 | uint64(d.data[d.pos+i])
		}
		d.pos += n
		return major, v, nil
	case info == 31:
		return 0, 0, errors.New("CBOR indefinite-length items are not supported")
	default:
		return 0, 0, fmt.Errorf("CBOR head byte 0x%02x is malformed", b)
	}
}

func (d *cborDecoder) item(depth int) (cborItem, error) {
	if depth > maxCBORDepth {
		return cborItem{}, fmt.Errorf("CBOR nesting deeper than %d levels", maxCBORDepth)
	}
	major, arg, err := d.head()
	if err != nil {
		return cborItem{}, err
	}
	it := cborItem{major: major, uint: arg}
	remaining := uint64(len(d.data) - d.pos)
	switch major {
	case majorUint, majorNint:
	case majorBytes, majorText:
		if arg > remaining {
			return cborItem{}, errCBORTruncated
		}
		it.bytes = d.data[d.pos : d.pos+int(arg)]
		d.pos += int(arg)
	case majorArray:
		if arg > remaining { // every element takes at least one byte
			return cborItem{}, errCBORTruncated
		}
		it.items = make([]cborItem, 0, arg)
		for i := uint64(0); i < arg; i++ {
			e, err := d.item(depth + 1)
			if err != nil {
				return cborItem{}, err
			}
			it.items = append(it.items, e)
		}
	case majorMap:
		if arg > remaining/2 {
			return cborItem{}, errCBORTruncated
		}
		it.pairs = make([]cborPair, 0, arg)
		for i := uint64(0); i < arg; i++ {
			k, err := d.item(depth + 1)
			if err != nil {
				return cborItem{}, err
			}
			v, err := d.item(depth + 1)
			if err != nil {
				return cborItem{}, err
			}
			it.pairs = append(it.pairs, cborPair{k, v})
		}
	case majorTag:
		content, err := d.item(depth + 1)
		if err != nil {
			return cborItem{}, err
		}
		it.tag = &content
	case majorSimple:
		if arg > 23 && arg < 32 || arg > 255 {
			return cborItem{}, errors.New("CBOR floating-point values are not supported")
		}
	}
	return it, nil
}

// appendHead appends a CBOR head with the shortest argument encoding.
func appendHead(b []byte, major byte, arg uint64) []byte {
	m := major << 5
	switch {
	case arg < 24:
		return append(b, m|byte(arg))
	case arg <= math.MaxUint8:
		return append(b, m|24, byte(arg))
	case arg <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(arg))
	case arg <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(arg))
	default:
		return binary.BigEndian.AppendUint64(append(b, m|27), arg)
	}
}

// appendBytes appends a CBOR byte string.
func appendBytes(b, data []byte) []byte {
	return append(appendHead(b, majorBytes, uint64(len(data))), data...)
}
