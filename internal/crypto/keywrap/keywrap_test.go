package keywrap

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func h(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// RFC 3394 §4 test vectors.
var vectors = []struct{ name, kek, key, wrapped string }{
	{"4.1 128/128", "000102030405060708090A0B0C0D0E0F", "00112233445566778899AABBCCDDEEFF", "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5"},
	{"4.2 128/192", "000102030405060708090A0B0C0D0E0F1011121314151617", "00112233445566778899AABBCCDDEEFF", "96778B25AE6CA435F92B5B97C050AED2468AB8A17AD84E5D"},
	{"4.3 128/256", "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", "00112233445566778899AABBCCDDEEFF", "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7"},
	{"4.4 192/192", "000102030405060708090A0B0C0D0E0F1011121314151617", "00112233445566778899AABBCCDDEEFF0001020304050607", "031D33264E15D33268F24EC260743EDCE1C6C7DDEE725A936BA814915C6762D2"},
	{"4.5 192/256", "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", "00112233445566778899AABBCCDDEEFF0001020304050607", "A8F9BC1612C68B3FF6E6F4FBE30E71E4769C8B80A32CB8958CD5D17D6B254DA1"},
	{"4.6 256/256", "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F", "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21"},
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			w, err := Wrap(h(v.kek), h(v.key))
			if err != nil || !bytes.Equal(w, h(v.wrapped)) {
				t.Fatalf("Wrap = %X, %v; want %s", w, err, v.wrapped)
			}
			k, err := Unwrap(h(v.kek), h(v.wrapped))
			if err != nil || !bytes.Equal(k, h(v.key)) {
				t.Fatalf("Unwrap = %X, %v; want %s", k, err, v.key)
			}
		})
	}
}

func TestUnwrapRejects(t *testing.T) {
	good := h(vectors[5].wrapped)
	kek := h(vectors[5].kek)
	flipped := bytes.Clone(good)
	flipped[10] ^= 1
	wrongKEK := bytes.Clone(kek)
	wrongKEK[0] ^= 1
	cases := []struct {
		name    string
		kek, in []byte
		want    error
	}{
		{"wrong kek", wrongKEK, good, ErrIntegrity},
		{"corrupt", kek, flipped, ErrIntegrity},
		{"short", kek, good[:16], ErrLength},
		{"odd", kek, good[:30], ErrLength},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Unwrap(c.kek, c.in); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
	if _, err := Unwrap(kek[:5], good); err == nil {
		t.Fatal("bad KEK size accepted")
	}
}

func FuzzUnwrap(f *testing.F) {
	f.Add(h(vectors[0].kek), h(vectors[0].wrapped))
	f.Add(h(vectors[5].kek), h(vectors[5].wrapped))
	f.Fuzz(func(t *testing.T, kek, in []byte) {
		k, err := Unwrap(kek, in)
		if err != nil {
			return
		}
		w, err := Wrap(kek, k)
		if err != nil || !bytes.Equal(w, in) {
			t.Fatalf("round trip mismatch")
		}
	})
}
