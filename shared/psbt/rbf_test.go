package psbt

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSignalsRBFFollowsBIP125Threshold(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sequence uint32
		want     bool
	}{
		{"zero sequence signals", 0, true},
		{"Create's RBF sequence signals", SequenceRBF, true},
		{"0xfffffffd is the highest signalling sequence", 0xfffffffd, true},
		{"Create's no-RBF sequence does not signal", SequenceNoRBF, false},
		{"final sequence does not signal", 0xffffffff, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, SignalsRBF(tc.sequence))
		})
	}
}
