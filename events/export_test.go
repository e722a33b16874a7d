package events

// SetFastPath turns Decode's fast path on or off, for tests that compare
// it with the encoding/json path.
func SetFastPath(on bool) { fastOff = !on }
