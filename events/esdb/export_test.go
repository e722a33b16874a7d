package esdb

// MaxChunk lets tests size a batch that takes several appends.
const MaxChunk = maxChunk
