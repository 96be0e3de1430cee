package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMemoryAppliesABatchAndListsSortedByKey(t *testing.T) {
	ctx := context.Background()
	m := NewMemory()
	require.NoError(t, m.Apply(ctx, Put(Devices, "b", []byte("2")), Put(Devices, "a", []byte("1")), Put(Wallets, "w", []byte("x"))))
	recs, err := m.List(ctx, Devices)
	require.NoError(t, err)
	require.Equal(t, []Record{{Key: "a", Value: []byte("1")}, {Key: "b", Value: []byte("2")}}, recs)

	require.NoError(t, m.Apply(ctx, Del(Devices, "a")))
	_, err = m.Get(ctx, Devices, "a")
	require.ErrorIs(t, err, ErrNotFound)
	v, err := m.Get(ctx, Wallets, "w")
	require.NoError(t, err)
	require.Equal(t, []byte("x"), v)
}

func TestMemoryRejectsABadBatchWithoutWritingAnyOfIt(t *testing.T) {
	ctx := context.Background()
	m := NewMemory()
	require.NoError(t, m.Apply(ctx, Put(Config, "units", []byte("btc"))))
	err := m.Apply(ctx, Put(Config, "units", []byte("sats")), Put("nope", "k", nil))
	require.EqualError(t, err, `store: operation 1 names unknown collection "nope"`)
	v, err := m.Get(ctx, Config, "units")
	require.NoError(t, err)
	require.Equal(t, []byte("btc"), v)
	err = m.Apply(ctx, Put(Config, "", []byte("x")))
	require.EqualError(t, err, "store: operation 0 on config has an empty key")
}

func TestMemoryReturnsCopiesSoCallersCannotMutateState(t *testing.T) {
	ctx := context.Background()
	m := NewMemory()
	val := []byte("abc")
	require.NoError(t, m.Apply(ctx, Put(Labels, "k", val)))
	val[0] = 'z'
	got, err := m.Get(ctx, Labels, "k")
	require.NoError(t, err)
	got[1] = 'z'
	again, err := m.Get(ctx, Labels, "k")
	require.NoError(t, err)
	require.Equal(t, []byte("abc"), again)
}
