package rules

// ServedCutoff is servedCutoff, for the tests.
var ServedCutoff = servedCutoff
