package main

import (
	"context"

	"github.com/pingyang/ledger/events"
	"github.com/pingyang/ledger/events/esdb"
)

func openESDB(ctx context.Context, url string) (events.Store, error) {
	if len(url) > len("kurrentdb") && url[:len("kurrentdb")] == "kurrentdb" {
		url = "esdb" + url[len("kurrentdb"):]
	}
	return esdb.Open(ctx, url)
}
