package writestamp

// ContainsWord is containsWord, for the tests.
var ContainsWord = containsWord
