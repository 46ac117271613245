package names

import "testing"

func TestToLatin(t *testing.T) {
	tests := []struct {
		sc       Scheme
		cyr, lat string
	}{
		// ICAO Doc 9303 part 3, section 6 (Cyrillic table, 7th ed.).
		{RussianICAO, "Горбачёв", "Gorbachev"},
		{RussianICAO, "Щербаков", "Shcherbakov"},
		{RussianICAO, "Хрущёв", "Khrushchev"},
		{RussianICAO, "Цой", "Tsoi"},
		{RussianICAO, "Юрий", "Iurii"},
		{RussianICAO, "Юлия", "Iuliia"},
		{RussianICAO, "Наталья", "Natalia"},
		{RussianICAO, "Дмитрий", "Dmitrii"},
		{RussianICAO, "Андрей", "Andrei"},
		{RussianICAO, "Яковлев", "Iakovlev"},
		{RussianICAO, "Жанна", "Zhanna"},
		{RussianICAO, "Объедков", "Obieedkov"}, // Ъ→IE, Е→E,
		{RussianICAO, "Крылов", "Krylov"},
		{RussianICAO, "Эдуард", "Eduard"},
		{RussianICAO, "Алексей", "Aleksei"},
		{RussianICAO, "КАЛЛЫХАНОВА", "KALLYKHANOVA"},
		{RussianICAO, "Каллыханова Лалагул", "Kallykhanova Lalagul"},
		{RussianICAO, "Щ", "Shch"},
		// English-language press.
		{RussianPress, "Евгений", "Yevgeny"},
		{RussianPress, "Юрий", "Yury"},
		{RussianPress, "Дмитрий", "Dmitry"},
		{RussianPress, "Наталья", "Natalya"},
		{RussianPress, "Татьяна", "Tatyana"},
		{RussianPress, "Фёдор", "Fyodor"},
		{RussianPress, "Пётр", "Pyotr"},
		{RussianPress, "Ельцин", "Yeltsin"},
		{RussianPress, "Сергеев", "Sergeyev"},
		{RussianPress, "Алексей", "Aleksey"},
		{RussianPress, "Ильич", "Ilyich"},
		{RussianPress, "Григорьев", "Grigoryev"},
		{RussianPress, "Хабаров", "Khabarov"},
		{RussianPress, "Жуков", "Zhukov"},
		{RussianPress, "Красный", "Krasny"},
		// Uzbek Latin (1995 alphabet, 2000s spelling rules).
		{UzbekLatin, "Тошкент", "Toshkent"},
		{UzbekLatin, "Ўзбекистон", "O‘zbekiston"},
		{UzbekLatin, "Ғулом", "G‘ulom"},
		{UzbekLatin, "Қўқон", "Qo‘qon"},
		{UzbekLatin, "Фарғона", "Farg‘ona"},
		{UzbekLatin, "Хоразм", "Xorazm"},
		{UzbekLatin, "Самарқанд", "Samarqand"},
		{UzbekLatin, "Ҳамза", "Hamza"},
		{UzbekLatin, "Шаҳрисабз", "Shahrisabz"},
		{UzbekLatin, "Чирчиқ", "Chirchiq"},
		{UzbekLatin, "Жиззах", "Jizzax"},
		{UzbekLatin, "Андижон", "Andijon"},
		{UzbekLatin, "Юсуф", "Yusuf"},
		{UzbekLatin, "Мирзиёев", "Mirziyoyev"},
		{UzbekLatin, "Ёқубов", "Yoqubov"},
		{UzbekLatin, "Йўлдошев", "Yo‘ldoshev"},
		{UzbekLatin, "Ергаш", "Yergash"},
		{UzbekLatin, "Эргаш", "Ergash"},
		{UzbekLatin, "концерт", "konsert"},
		{UzbekLatin, "лицей", "litsey"},
		{UzbekLatin, "Маъмур", "Ma’mur"},
		{UzbekLatin, "ЎЗБЕКИСТОН", "O‘ZBEKISTON"},
		{UzbekLatin, "Шавкат Мирзиёев", "Shavkat Mirziyoyev"},
		// Karakalpak Latin (2016 alphabet).
		{KarakalpakLatin, "Нөкис", "Nókis"},
		{KarakalpakLatin, "Қарақалпақстан", "Qaraqalpaqstan"},
		{KarakalpakLatin, "Қоңырат", "Qońırat"},
		{KarakalpakLatin, "Шымбай", "Shımbay"},
		{KarakalpakLatin, "Тахтакөпир", "Taxtakópir"},
		{KarakalpakLatin, "Әмиўдәрья", "Ámiwdárya"},
		{KarakalpakLatin, "Бердақ", "Berdaq"},
		{KarakalpakLatin, "Әжинияз", "Ájiniyaz"},
		{KarakalpakLatin, "Даўлетмурат", "Dawletmurat"},
		{KarakalpakLatin, "Каллыханова", "Kallıxanova"},
		{KarakalpakLatin, "Ғәрезсизлик", "Ǵárezsizlik"},
		{KarakalpakLatin, "Ыбырай", "Íbıray"},
		{KarakalpakLatin, "Үстирт", "Ústirt"},
		{KarakalpakLatin, "Цех", "Cex"},
		// Non-Cyrillic text is copied.
		{UzbekLatin, "Toshkent 2022", "Toshkent 2022"},
	}
	for _, tt := range tests {
		if got := ToLatin(tt.cyr, tt.sc); got != tt.lat {
			t.Errorf("ToLatin(%q, %v) = %q, want %q", tt.cyr, tt.sc, got, tt.lat)
		}
	}
}

func TestToCyrillic(t *testing.T) {
	tests := []struct {
		sc       Scheme
		lat, cyr string
	}{
		{UzbekLatin, "Toshkent", "Тошкент"},
		{UzbekLatin, "O‘zbekiston", "Ўзбекистон"},
		{UzbekLatin, "O'zbekiston", "Ўзбекистон"},
		{UzbekLatin, "Oʻzbekiston", "Ўзбекистон"},
		{UzbekLatin, "O’zbekiston", "Ўзбекистон"},
		{UzbekLatin, "O`zbekiston", "Ўзбекистон"},
		{UzbekLatin, "G‘ulom", "Ғулом"},
		{UzbekLatin, "G'ulom", "Ғулом"},
		{UzbekLatin, "Gʻulom", "Ғулом"},
		{UzbekLatin, "Mirziyoyev", "Мирзиёев"},
		{UzbekLatin, "Yo‘ldoshev", "Йўлдошев"},
		{UzbekLatin, "Ergash", "Эргаш"},
		{UzbekLatin, "Yergash", "Ергаш"},
		{UzbekLatin, "Is'hoq", "Исҳоқ"},
		{UzbekLatin, "Ma’mur", "Маъмур"},
		{UzbekLatin, "Samarqand", "Самарқанд"},
		{UzbekLatin, "Xorazm", "Хоразм"},
		{UzbekLatin, "Chirchiq", "Чирчиқ"},
		{UzbekLatin, "litsey", "лицей"},
		{UzbekLatin, "Qo‘qon", "Қўқон"},
		{UzbekLatin, "SHAVKAT", "ШАВКАТ"},
		{KarakalpakLatin, "Nókis", "Нөкис"},
		{KarakalpakLatin, "No'kis", "Нөкис"},
		{KarakalpakLatin, "Qaraqalpaqstan", "Қарақалпақстан"},
		{KarakalpakLatin, "Qońırat", "Қоңырат"},
		{KarakalpakLatin, "Qon'i'rat", "Қоңырат"},
		{KarakalpakLatin, "Shımbay", "Шымбай"},
		{KarakalpakLatin, "Ámiwdárya", "Әмиўдәрья"},
		{KarakalpakLatin, "A'miwda'rya", "Әмиўдәрья"},
		{KarakalpakLatin, "Ǵárezsizlik", "Ғәрезсизлик"},
		{KarakalpakLatin, "G'a'rezsizlik", "Ғәрезсизлик"},
		{KarakalpakLatin, "Dawletmurat", "Даўлетмурат"},
		{KarakalpakLatin, "Kallıxanova", "Каллыханова"},
		{KarakalpakLatin, "Íbıray", "Ыбырай"},
		{KarakalpakLatin, "U'stirt", "Үстирт"},
		{RussianICAO, "Shcherbakov", "Щербаков"},
		{RussianICAO, "Zhanna", "Жанна"},
		{RussianICAO, "Iakovlev", "Яковлев"},
		{RussianICAO, "Kallykhanova", "Каллыханова"},
		{RussianICAO, "Andrei", "Андрей"},
		{RussianPress, "Yakovlev", "Яковлев"},
		{RussianPress, "Dmitry", "Дмитрий"},
		{RussianPress, "Yuliya", "Юлия"},
	}
	for _, tt := range tests {
		if got := ToCyrillic(tt.lat, tt.sc); got != tt.cyr {
			t.Errorf("ToCyrillic(%q, %v) = %q, want %q", tt.lat, tt.sc, got, tt.cyr)
		}
	}
}

// Uzbek and Karakalpak romanisation must round-trip for native words.
func TestRoundTrip(t *testing.T) {
	words := map[Scheme][]string{
		UzbekLatin: {"Тошкент", "Ўзбекистон", "Ғулом", "Мирзиёев", "Йўлдошев", "Эргаш",
			"Самарқанд", "Шаҳрисабз", "Маъмур", "Юсуф", "Ёқубов", "Ҳамза", "Жамшид"},
		KarakalpakLatin: {"Нөкис", "Қарақалпақстан", "Қоңырат", "Шымбай", "Әмиўдәрья",
			"Бердақ", "Даўлетмурат", "Каллыханова", "Ыбырай", "Үстирт", "Ғәрезсизлик"},
	}
	for sc, ws := range words {
		for _, w := range ws {
			lat := ToLatin(w, sc)
			if back := ToCyrillic(lat, sc); back != w {
				t.Errorf("%v: %q → %q → %q", sc, w, lat, back)
			}
		}
	}
}

func TestDetectScript(t *testing.T) {
	tests := []struct {
		in   string
		want Script
	}{
		{"", ScriptEmpty},
		{" 12, -", ScriptEmpty},
		{"Tajimuratov D.", ScriptLatin},
		{"Nókis", ScriptLatin},
		{"Kallıxanova", ScriptLatin},
		{"O‘zbekiston", ScriptLatin},
		{"Boʻrimuradov Zokir", ScriptLatin}, // U+02BB, the official Uzbek oʻ
		{"Seytkeneshov Poʻlat oʻgʻli", ScriptLatin},
		{"Qurbonʼ", ScriptLatin},
		{"Каллыханова Лалагул", ScriptCyrillic},
		{"Нөкис", ScriptCyrillic},
		{"Kаллыханова", ScriptMixed}, // Latin K
		{"محمد", ScriptOther},
		{"Ali محمد", ScriptMixed},
	}
	for _, tt := range tests {
		if got := DetectScript(tt.in); got != tt.want {
			t.Errorf("DetectScript(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestDetectCyrillicLanguage(t *testing.T) {
	tests := []struct {
		in   string
		want Language
	}{
		{"Tashkent", LangUnknown},
		{"Иванов Иван Иванович", LangRussian},
		{"Щербаков", LangRussian},
		{"Тошкент", LangRussian}, // no letter of its own: indistinguishable
		{"Ўзбекистон", LangUzbek},
		{"Ғулом Қодиров", LangUzbek},
		{"Шаҳрисабз", LangUzbek},
		{"Нөкис", LangKarakalpak},
		{"Қарақалпақстан Республикасы", LangKarakalpak}, // қ with ы
		{"Қоңырат", LangKarakalpak},
		{"Даўлетбай Тәжимуратов", LangKarakalpak},
		{"Үстирт", LangKarakalpak},
	}
	for _, tt := range tests {
		if got := DetectCyrillicLanguage(tt.in); got != tt.want {
			t.Errorf("DetectCyrillicLanguage(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
