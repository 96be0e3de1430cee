package descriptor

import (
	"fmt"
	"strings"
)

// inputCharset is the BIP380 descriptor character set, in the order that
// gives each character its checksum symbol.
const inputCharset = "0123456789()[],'/*abcdefgh@:$%{}" +
	"IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~" +
	"ijklmnopqrstuvwxyzABCDEFGH`#\"\\ "

// checksumCharset is the bech32 alphabet used to write BIP380 checksums.
const checksumCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

var checksumGenerator = [5]uint64{0xf5dee51989, 0xa9fdca3312, 0x1bab10e32d, 0x3706b1677a, 0x644d626ffd}

func polymod(c uint64, val uint64) uint64 {
	top := c >> 35
	c = (c&0x7ffffffff)<<5 ^ val
	for i := 0; i < 5; i++ {
		if (top>>i)&1 == 1 {
			c ^= checksumGenerator[i]
		}
	}
	return c
}

// Checksum returns the 8-character BIP380 checksum of a descriptor given
// without its "#..." suffix. It fails when desc holds a character outside the
// BIP380 character set.
func Checksum(desc string) (string, error) {
	c := uint64(1)
	cls, clsCount := 0, 0
	for i := 0; i < len(desc); i++ {
		pos := strings.IndexByte(inputCharset, desc[i])
		if pos < 0 || desc[i] >= 0x80 {
			return "", fmt.Errorf("character %q at position %d is not allowed in a descriptor (BIP380 character set)", firstRune(desc[i:]), i+1)
		}
		c = polymod(c, uint64(pos&31))
		cls = cls*3 + pos>>5
		clsCount++
		if clsCount == 3 {
			c = polymod(c, uint64(cls))
			cls, clsCount = 0, 0
		}
	}
	if clsCount > 0 {
		c = polymod(c, uint64(cls))
	}
	for i := 0; i < 8; i++ {
		c = polymod(c, 0)
	}
	c ^= 1
	var out [8]byte
	for i := 0; i < 8; i++ {
		out[i] = checksumCharset[(c>>(5*(7-i)))&31]
	}
	return string(out[:]), nil
}

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}

// splitChecksum separates "DESC#CHECKSUM" and verifies the checksum when one
// is present (BIP380: the checksum is optional, but must match when given).
func splitChecksum(s string) (string, error) {
	desc, sum, found := strings.Cut(s, "#")
	want, err := Checksum(desc)
	if err != nil {
		return "", err
	}
	if !found {
		return desc, nil
	}
	if strings.Contains(sum, "#") {
		return "", fmt.Errorf("more than one '#': a descriptor has at most one checksum suffix")
	}
	if len(sum) != 8 {
		return "", fmt.Errorf("checksum %q has %d characters where BIP380 checksums have 8: copy the whole descriptor, or drop the \"#...\" part", sum, len(sum))
	}
	if sum != want {
		return "", fmt.Errorf("checksum %q does not match the descriptor (expected %q): the descriptor or its checksum was mistyped", sum, want)
	}
	return desc, nil
}
