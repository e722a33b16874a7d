package demo_test

import (
	"bytes"
	"testing"

	"github.com/pingyang/ledger/internal/demo"
	"github.com/stretchr/testify/require"
)

func TestGenerateIsDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a year")
	}
	var a, b bytes.Buffer
	n, err := demo.Generate(&a, demo.Options{Seed: 7, Scale: 0.05})
	require.NoError(t, err)
	_, err = demo.Generate(&b, demo.Options{Seed: 7, Scale: 0.05})
	require.NoError(t, err)
	require.Equal(t, a.String(), b.String())
	require.Greater(t, n, 40000)
}
