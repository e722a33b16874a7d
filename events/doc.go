// Package events is the ledger's vocabulary: the event types of the
// catalogue (docs/events.md), their strict decoding, their
// canonical bytes and the hash chain, and the Store interface that every
// backend implements (events/sqlite, events/esdb), with its sentinel
// errors.
//
// # Decoding
//
// Decode refuses, with a FieldError naming the field and the reason:
// unknown fields, duplicate keys, JSON nested deeper than MaxDepth, wrong
// JSON types, bad enums and ids, strings with control characters, times
// without an offset or outside the evaluation window (a correction may
// come after it: CheckOccurred), and events over
// MaxEventBytes. What it accepts is normalised: data is re-encoded in
// canonical form, occurred_at is kept as an instant.
//
// # Canonical bytes and the hash chain
//
// A stored event (Record) has a position (1, 2, … without gaps), a
// prev_hash and a hash:
//
//	hash = sha256( prev_hash as 64 lowercase hex characters || canonical bytes )
//
// with 64 zeros as the first prev_hash. The canonical bytes are the stored
// envelope (Record.AppendJSON, the JSON of GET /v1/events) without
// prev_hash and hash, as compact JSON with keys sorted at every level and
// ref left out when empty: exactly what `jq -cS 'del(.prev_hash, .hash)'`
// prints for that envelope. occurred_at is written in +08:00 and
// recorded_at in UTC, both RFC 3339 with nanoseconds as needed; numbers in
// their shortest form; strings escape only '"' and '\' (no stored string
// holds a control character). The README shows the recipe with jq and
// sha256sum; TestHashRecipeWithJQ runs it.
package events
