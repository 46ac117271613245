package names

import (
	"slices"
	"testing"
)

func shareKey(a, b []string) bool {
	for _, k := range a {
		if slices.Contains(b, k) {
			return true
		}
	}
	return false
}

// Pairs that are the same person must share a blocking key.
func TestBlockingKeysPairs(t *testing.T) {
	same := [][2]string{
		{"Лалагул Каллыханова", "KALLYKHANOVA Lalagul"},
		{"Лалагул Каллыханова", "Lolagul Kallykhanova"},
		{"Lalagul Kallıxanova", "Kallykhanova, Lala"},
		{"Тажимуратов Даўлетбай", "Dauletbay Tajimuratov"},
		{"Tajimuratov D.", "Tajimuratov Dauletbay"},
		{"D. M. Tajimuratov", "Тажимуратов Давлетбай"},
		{"Юсупов Жамшид Ахмадович", "Jamshid Ahmad o‘g‘li Yusupov"},
		{"Yusupov Jamshed", "Jusupov Jamshid"},                       // Karakalpak j for Uzbek y: phonetic key
		{"Yusupov Jamshid Ahmadovich", "Yuspov Jamshid Akhmedovich"}, // surname typo: g: key
		{"Qodirov Shuhrat", "Shukhrat Kadirov"},                      // o/a: phonetic key
		{"Tojiboyev Bahodir", "Tadjibaev Bakhadyr"},                  // phonetic key
		{"Nurlan Berdaq", "Berdaq Nurlan"},                           // order swap, no signal: sorted key
	}
	for _, p := range same {
		a, b := BlockingKeys(p[0]), BlockingKeys(p[1])
		if !shareKey(a, b) {
			t.Errorf("%q %v and %q %v share no blocking key", p[0], a, p[1], b)
		}
	}
	// Brother and sister share the surname-stem key.
	a, b := BlockingKeys("Tajimuratov Dauletbay"), BlockingKeys("Tajimuratova Dilnoza")
	if !slices.Contains(a, "s:tajimuratov:d") || !slices.Contains(b, "s:tajimuratov:d") {
		t.Errorf("siblings: %v %v", a, b)
	}
	// Different people should not share every key.
	a, b = BlockingKeys("Tajimuratov Dauletbay"), BlockingKeys("Kallykhanova Lalagul")
	if shareKey(a, b) {
		t.Errorf("unrelated names share a key: %v %v", a, b)
	}
	if k := BlockingKeys(""); len(k) != 0 {
		t.Errorf("empty name: %v", k)
	}
}

func BenchmarkBlockingKeys(b *testing.B) {
	in := []string{"Каллыханова Лалагул Бахтиёровна", "KALLYKHANOVA Lalagul", "Yo‘ldoshev O‘tkir Ahmad o‘g‘li", "Tajimuratov D."}
	DefaultEquivalents()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = BlockingKeys(in[i%len(in)])
	}
}

func BenchmarkParse(b *testing.B) {
	in := []string{"Каллыханова Лалагул Бахтиёровна", "KALLYKHANOVA Lalagul", "Yo‘ldoshev O‘tkir Ahmad o‘g‘li", "Tajimuratov D."}
	DefaultEquivalents()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = Parse(in[i%len(in)])
	}
}
