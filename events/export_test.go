package events

// SetFastPath turns Decode's fast path on or off, for tests that compare
// it with the encoding/json path.
func SetFastPath(on bool) { fastOff = !on }

// RedecodeShort says whether Redecode takes its short way for r.
func RedecodeShort(r *Record) bool { _, ok := redecodeStored(r); return ok }
