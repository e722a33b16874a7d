package replay

// SetComputeHook makes f run inside each view computation's slot, and
// returns the function that removes it.
func SetComputeHook(f func()) func() {
	computeHook = f
	return func() { computeHook = nil }
}
