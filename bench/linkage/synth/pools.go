package synth

// Invented combinations of common name parts of the region, in the
// notation of render.go. No list of real people was used.

var maleGiven = []string{
	"azamat", "baXtiyar", "daWlet", "berdaQ", "pUlat", "timur", "ruslan", "nurlan", "islambek",
	"allambergen", "Qudaybergen", "sarsenbay", "aybek", "rustam", "aliSer", "Otabek", "bekzOd",
	"Jamsid", "SerzOd", "farruX", "dilSOd", "Jasur", "umid", "sardOr", "Qayrat", "marat", "arman",
	"asQar", "ernazar", "Joldasbay", "amanbay", "oraz", "raWSan", "aziz", "baHOdir", "islOm",
	"murat", "baWirJan", "Qaljan", "jeNis", "tileWbay", "kamal", "maQset", "nurbek", "erkin",
	"ulugbek", "sanJar", "Sohrat", "abat", "ravSan", "Jahongir", "elmurat", "Ozat", "Qurbanbay",
}

var femaleGiven = []string{
	"lOlagul", "gulnara", "aygul", "dilnOza", "zamira", "nOdira", "gulSat", "aynura", "sarbinaz",
	"JaNagul", "SaHnOza", "feruza", "malika", "zulfiya", "dilbar", "gulbaHOr", "raWSan", "Xurliman",
	"aliya", "gulzira", "saOdat", "munira", "nilufar", "dinara", "aziza", "rOza", "kamila",
	"meHribOn", "barnO", "madina", "gulnaz", "aysulU", "Janar", "perizat", "sevara", "umida",
	"zuhra", "gulbaniw", "ayJamal", "tamara", "Qunduz", "Saxnoza", "guljaHOn", "mOxira",
}

// Surname roots are built from two parts, as many of the region's are
// (father's or grandfather's name + -ov/-ova).
var surnameHeads = []string{
	"Qallı", "allam", "seyt", "Wtep", "taji", "orazI", "Juma", "Qurban", "yusup", "sapar",
	"abdu", "esen", "QIdIr", "narIm", "pirni", "bek", "tursIn", "daWlet", "sadIQ", "tleW",
	"ayt", "eS", "nurI", "matyO", "JollI", "urIn", "Qal", "bazar", "Qoja", "aman", "ismayil",
	"reyim", "berdi", "Xudoy", "toJi", "sultOn", "ernaz", "Jiyen", "kenJe", "orIn",
}

var surnameTails = []string{
	"Xan", "bergen", "murat", "bay", "niyaz", "mbet", "nazar", "bek", "Qul", "baev", "jan",
	"razOQ", "Qob", "mat", "Sukur", "ali", "ma", "nur",
}

var fathers = append(append([]string{}, maleGiven...), "ismayil", "yusup", "Qudaybergen", "sapar", "tursInbay", "esemurat", "abdiraXman", "kamal")

// districts: gazetteer ids with the spellings sources use.
var districts = []struct {
	id        string
	spellings []string
}{
	{"nukus-city", []string{"Nukus", "Нукус", "Nókis", "Нөкис", "г. Нукус", "Nukus shahri"}},
	{"nukus-district", []string{"Nukus district", "Нукусский район", "Nókis rayonı", "Nukus tumani", "Akmangit"}},
	{"amudarya", []string{"Amudarya", "Амударьинский район", "Ámiwdárya", "Amudaryo tumani", "Mangit", "Маңғыт"}},
	{"beruni", []string{"Beruni", "Беруни", "Beruniy", "Беруний"}},
	{"bozatau", []string{"Bozatau", "Бозатау", "Bozataw", "Bo'zatov"}},
	{"chimbay", []string{"Chimbay", "Чимбай", "Shımbay", "Шымбай", "Chimboy"}},
	{"ellikkala", []string{"Ellikkala", "Элликкалинский район", "Ellikqala", "Ellikqal'a"}},
	{"kanlikul", []string{"Kanlikul", "Канлыкуль", "Qanlıkól", "Qanliko'l"}},
	{"karauzyak", []string{"Karauzyak", "Караузяк", "Qaraózek", "Qorao'zak"}},
	{"kegeyli", []string{"Kegeyli", "Кегейли", "Kegeyli tumani"}},
	{"khodjeyli", []string{"Khodjeyli", "Ходжейли", "Xojeli", "Хожели", "Xo'jayli", "Khojeyli"}},
	{"kungrad", []string{"Kungrad", "Кунград", "Qońırat", "Қоңырат", "Qo'ng'irot"}},
	{"muynak", []string{"Muynak", "Муйнак", "Moynaq", "Мойнақ", "Mo'ynoq"}},
	{"shumanay", []string{"Shumanay", "Шуманай"}},
	{"takhiatash", []string{"Takhiatash", "Тахиаташ", "Taqıyatas", "Taxiatosh"}},
	{"takhtakupyr", []string{"Takhtakupyr", "Тахтакупыр", "Taxtakópir", "Taxtako'pir"}},
	{"turtkul", []string{"Turtkul", "Турткуль", "Tórtkúl", "To'rtko'l"}},
}

// District weights: most of those detained in July 2022 were in Nukus.
var districtWeights = []float64{30, 4, 4, 4, 2, 6, 3, 3, 3, 3, 8, 6, 3, 2, 4, 3, 4}

var regionSpellings = []string{"Karakalpakstan", "Каракалпакстан", "Qaraqalpaqstan", "Qoraqalpog'iston", "ККР", ""}
