package main

import (
	"context"
	"errors"

	"github.com/pingyang/ledger/events"
)

func openESDB(ctx context.Context, url string) (events.Store, error) {
	return nil, errors.New("esdb: TODO")
}
