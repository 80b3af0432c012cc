// Package hostile holds huella's hostile-input corpus: evidence crafted to
// crash, hang, exhaust memory or escape the output folder, generated at
// test time (see corpus_test.go) and run through the real binary, whose
// exit status, messages, peak memory and run time are checked.
package hostile
