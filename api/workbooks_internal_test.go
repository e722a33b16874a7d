package api

import (
	"context"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
)

// Workbooks are built one a core at a time: a request that finds every
// slot taken waits, and gives up at its deadline (503) without building.
func TestWorkbooksWaitTheirTurn(t *testing.T) {
	s := &Server{workbooks: make(chan struct{}, 1)}
	s.workbooks <- struct{}{} // one being built
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", "/standings.xlsx", nil).WithContext(ctx)
	c := echo.New().NewContext(req, httptest.NewRecorder())
	built := false
	err := s.sendXLSX(c, "x.xlsx", func(io.Writer) error { built = true; return nil })
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, built)
	require.Equal(t, 503, statusOf(err).Status)
	<-s.workbooks // the other one is done: the next is built
	c = echo.New().NewContext(httptest.NewRequest("GET", "/standings.xlsx", nil), httptest.NewRecorder())
	require.NoError(t, s.sendXLSX(c, "x.xlsx", func(io.Writer) error { built = true; return nil }))
	require.True(t, built)
	require.Empty(t, s.workbooks, "its slot given back")
}
