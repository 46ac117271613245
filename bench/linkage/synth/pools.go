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
	"abdulla", "abduraXman", "adilbek", "aJiniyaz", "akmal", "alisher", "allayar", "amir", "anvar",
	"arslan", "asad", "aslan", "ayimbet", "azizbek", "bahrom", "baXitbay", "baltabay", "barlIbay",
	"batIr", "baxodir", "begzod", "berdimurat", "bOburJon", "bUribay", "daniyar", "davron", "dilmurod",
	"doniyor", "dostan", "elyor", "eldor", "erJan", "ermek", "esbergen", "faXriddin", "farhod", "Gayrat",
	"GulOm", "hamid", "Husan", "ibrohim", "ikrom", "ilXom", "ilyos", "isa", "iskandar", "ismail",
	"Jalgas", "JandOr", "JanIbek", "Jumabay", "Jumaniyaz", "kadir", "karim", "kenJebay", "komil",
	"Qanat", "Qaraman", "Qasim", "QIdIrbay", "Qosay", "maXmud", "maksat", "mansur", "mirzo", "muXammed",
	"muradbek", "nadir", "nazar", "nematulla", "nodir", "nurlIbek", "nurmaXan", "Odil", "OlimJon",
	"oybek", "orazbay", "Otkir", "pirnazar", "polat", "raSid", "raXim", "raXmatulla", "rinat", "saken",
	"salamat", "sarvar", "sattar", "serik", "Serzat", "Suxrat", "sultan", "tanirbergen", "temir", "toXtar",
	"turgunbay", "ulugbergen", "Urazbay", "XaliJan", "XamidJan", "Xasan", "Xusan", "yerlan", "yusuf",
	"zafar", "zarif", "ziyadin", "zokir", "Qilish", "tolib", "valeriy", "sergey", "aleksandr", "dmitriy",
}

var femaleGiven = []string{
	"lOlagul", "gulnara", "aygul", "dilnOza", "zamira", "nOdira", "gulSat", "aynura", "sarbinaz",
	"JaNagul", "SaHnOza", "feruza", "malika", "zulfiya", "dilbar", "gulbaHOr", "raWSan", "Xurliman",
	"aliya", "gulzira", "saOdat", "munira", "nilufar", "dinara", "aziza", "rOza", "kamila",
	"meHribOn", "barnO", "madina", "gulnaz", "aysulU", "Janar", "perizat", "sevara", "umida",
	"zuhra", "gulbaniw", "ayJamal", "tamara", "Qunduz", "Saxnoza", "guljaHOn", "mOxira",
	"abadan", "aJargul", "albina", "altIngul", "anora", "aruWxan", "aSirgul", "aydana", "aygerim",
	"ayNul", "ayperi", "aysanem", "baXtigul", "biybiJamal", "biybigul", "bibiXan", "dilafruz", "diloram",
	"dilSat", "elmira", "elvira", "feruzaXan", "gavhar", "gulalIm", "gulbahar", "gulcehra", "gulXan",
	"gulistan", "gulmira", "gulnoza", "gulSan", "guzal", "hilola", "inobat", "iroda", "Jamila", "JIbek",
	"kamola", "kumuS", "laylo", "lola", "lobar", "mavluda", "maXbuba", "mayra", "mexriniso", "muXabbat",
	"muqaddas", "nargiza", "nasiba", "nazira", "nigora", "nurgul", "nurXan", "ozoda", "parisa", "Qalbike",
	"raXima", "rayxan", "rozagul", "saida", "sanobar", "sayora", "selbi", "Soira", "Suxrat", "tursInay",
	"ulbosIn", "umiJan", "Xadica", "Xilola", "yulduz", "zarina", "zebo", "ziyoda", "zoya", "svetlana",
}

// Surname roots are built from two parts, as many of the region's are
// (father's or grandfather's name + -ov/-ova).
var surnameHeads = []string{
	"QallI", "allam", "seyt", "Wtep", "taji", "orazI", "Juma", "Qurban", "yusup", "sapar",
	"abdu", "esen", "QIdIr", "narIm", "pirni", "bek", "tursIn", "daWlet", "sadIQ", "tleW",
	"ayt", "eS", "nurI", "matyO", "JollI", "urIn", "Qal", "bazar", "Qoja", "aman", "ismayil",
	"reyim", "berdi", "Xudoy", "toJi", "sultOn", "ernaz", "Jiyen", "kenJe", "orIn",
	"ab", "aday", "aJi", "alla", "almat", "altIn", "ana", "arIs", "asan", "atay", "ayte", "azat",
	"baba", "bakIt", "bal", "bayram", "bayta", "bekmIr", "ber", "biy", "bora", "bUri", "dos", "duysen",
	"egiz", "elmIr", "emin", "erman", "esem", "Gani", "GayIp", "Gulam", "Xalmur", "Xoja", "ibra", "iman",
	"iyt", "Jalgas", "JanI", "JaqsI", "JarI", "JIyen", "Jol", "kamal", "kar", "kenes", "kIdIr", "mambet",
	"mayli", "mirza", "muXam", "naWrIz", "nazar", "nIyaz", "Uteni", "oten", "pala", "pol", "Qabul",
	"Qaipi", "Qara", "QayIp", "Qoy", "Qudiya", "rax", "raJap", "rezI", "sabIr", "sadIr", "saItbay", "saman",
	"sarsen", "seyit", "sIdIq", "sultan", "tajim", "taNir", "temir", "tilew", "toley", "toQta", "UrazIm",
	"UteS", "Wmbet", "yakub", "yerej", "yuldaS", "zariyp", "Jumag", "ismay", "tore", "QutlI",
}

var surnameTails = []string{
	"Xan", "bergen", "murat", "bay", "niyaz", "mbet", "nazar", "bek", "Qul", "baev", "jan",
	"razOQ", "Qob", "mat", "Sukur", "ali", "ma", "nur",
	"aXmet", "aman", "bay", "bergenI", "dawlet", "ekey", "embet", "erkin", "ergali", "gali", "GazI",
	"ibay", "imbet", "iyaz", "Jan", "Jar", "keldi", "keneS", "mIrza", "mOdin", "murad",
	"nazarI", "Qali", "Qara", "rIsbay", "sapar", "sIdIq", "taj", "tay", "ulla", "Wmar", "yar", "ziya",
}

var fathers = append(append([]string{}, maleGiven...), "ismayil", "yusup", "Qudaybergen", "sapar", "tursInbay", "esemurat", "abdiraXman", "kamal")

// districts: gazetteer ids with the spellings sources use.
var districts = []struct {
	id        string
	spellings []string
}{
	{"nukus-city", []string{"Nukus", "Нукус", "Nókis", "Нөкис", "г. Нукус", "Nukus shahri"}},
	{"nukus-district", []string{"Nukus district", "Нукусский район", "Nókis rayonI", "Nukus tumani", "Akmangit"}},
	{"amudarya", []string{"Amudarya", "Амударьинский район", "Ámiwdárya", "Amudaryo tumani", "Mangit", "Маңғыт"}},
	{"beruni", []string{"Beruni", "Беруни", "Beruniy", "Беруний"}},
	{"bozatau", []string{"Bozatau", "Бозатау", "Bozataw", "Bo'zatov"}},
	{"chimbay", []string{"Chimbay", "Чимбай", "ShImbay", "Шымбай", "Chimboy"}},
	{"ellikkala", []string{"Ellikkala", "Элликкалинский район", "Ellikqala", "Ellikqal'a"}},
	{"kanlikul", []string{"Kanlikul", "Канлыкуль", "QanlIkól", "Qanliko'l"}},
	{"karauzyak", []string{"Karauzyak", "Караузяк", "Qaraózek", "Qorao'zak"}},
	{"kegeyli", []string{"Kegeyli", "Кегейли", "Kegeyli tumani"}},
	{"khodjeyli", []string{"Khodjeyli", "Ходжейли", "Xojeli", "Хожели", "Xo'jayli", "Khojeyli"}},
	{"kungrad", []string{"Kungrad", "Кунград", "QońIrat", "Қоңырат", "Qo'ng'irot"}},
	{"muynak", []string{"Muynak", "Муйнак", "Moynaq", "Мойнақ", "Mo'ynoq"}},
	{"shumanay", []string{"Shumanay", "Шуманай"}},
	{"takhiatash", []string{"Takhiatash", "Тахиаташ", "TaqIyatas", "Taxiatosh"}},
	{"takhtakupyr", []string{"Takhtakupyr", "Тахтакупыр", "Taxtakópir", "Taxtako'pir"}},
	{"turtkul", []string{"Turtkul", "Турткуль", "Tórtkúl", "To'rtko'l"}},
}

// District weights: most of those detained in July 2022 were in Nukus.
var districtWeights = []float64{30, 4, 4, 4, 2, 6, 3, 3, 3, 3, 8, 6, 3, 2, 4, 3, 4}

var regionSpellings = []string{"Karakalpakstan", "Каракалпакстан", "Qaraqalpaqstan", "Qoraqalpog'iston", "ККР", ""}
