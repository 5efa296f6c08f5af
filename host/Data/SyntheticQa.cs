using System.Text;

namespace PeftQa.Host.Data;

/// <summary>
/// Offline extractive QA made by the project itself: <c>builtin:synthetic/&lt;domain&gt;[/train|/eval]</c>. Four clearly
/// different domains; every paragraph describes two or three entities of the same kind (so the question's entity must be
/// matched, not just the fact type), facts come in shuffled order with several phrasings, and questions are paraphrased.
/// Seeded: the same name always gives the same data. Train and eval use different seeds.
/// </summary>
public static class SyntheticQa
{
    public const string Prefix = "builtin:synthetic/";

    public static IReadOnlyList<string> Domains { get; } = ["biographies", "products", "chemistry", "sports"];

    public const int TrainParagraphs = 700;
    public const int EvalParagraphs = 120;

    /// <summary>Domain d's data is drawn with the seed (d + 1) x this plus its split's salt: every domain its own seeds.</summary>
    private const int DomainSeedStride = 1000;

    /// <summary>Train and eval of one domain are drawn with different seeds, so they are different paragraphs.</summary>
    private const int TrainSeedSalt = 1;

    private const int EvalSeedSalt = 7;

    /// <summary>The builtin names this generator answers to.</summary>
    public static IEnumerable<string> BuiltinNames =>
        Domains.SelectMany(d => new[] { Prefix + d, Prefix + d + "/train", Prefix + d + "/eval" });

    public static bool TryParse(string reference, out string domain, out string split)
    {
        domain = split = "";
        if (!reference.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)) return false;
        var parts = reference[Prefix.Length..].Split('/');
        if (parts.Length is < 1 or > 2 || !Domains.Contains(parts[0].ToLowerInvariant())) return false;
        split = parts.Length == 2 ? parts[1].ToLowerInvariant() : "train";
        if (split is not ("train" or "eval")) return false;
        domain = parts[0].ToLowerInvariant();
        return true;
    }

    public static QaDataSet Generate(string domain, string split)
    {
        int domainIndex = Domains.ToList().IndexOf(domain);
        if (domainIndex < 0) throw new ArgumentException($"unknown synthetic domain '{domain}'");
        var random = new Random(DomainSeedStride * (domainIndex + 1) + (split == "eval" ? EvalSeedSalt : TrainSeedSalt));
        int paragraphs = split == "eval" ? EvalParagraphs : TrainParagraphs;
        var examples = new List<QaExample>();
        for (int p = 0; p < paragraphs; p++)
        {
            var paragraph = domain switch
            {
                "biographies" => Biographies(random),
                "products" => Products(random),
                "chemistry" => Chemistry(random),
                _ => Sports(random),
            };
            int q = 0;
            foreach (var (question, answer) in paragraph.Questions)
                examples.Add(new QaExample($"{domain}-{split}-{p}-{q++}", $"{domain} {p}", paragraph.Context, question, [answer], false));
        }
        var summary = new QaDataSummary($"{Prefix}{domain}/{split}", "synthetic-1", paragraphs, paragraphs, examples.Count, examples.Count, 0, 0, []);
        return new QaDataSet(examples, summary);
    }

    /// <summary>Builds a context while recording where each answer lands.</summary>
    private sealed class ParagraphBuilder(Random random)
    {
        private readonly StringBuilder text = new();
        private readonly List<(string Question, QaAnswer Answer)> questions = [];

        public Random Random { get; } = random;

        public void Text(string value) => text.Append(value);

        public QaAnswer Fact(string value)
        {
            var answer = new QaAnswer(value, text.Length);
            text.Append(value);
            return answer;
        }

        public void Ask(QaAnswer answer, params string[] phrasings) => questions.Add((Pick(phrasings), answer));

        public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

        public (string Context, List<(string Question, QaAnswer Answer)> Questions) Build()
        {
            // Ask two to four of the recorded questions, in random order.
            var chosen = questions.OrderBy(_ => Random.Next()).Take(Random.Next(2, 5)).ToList();
            return (text.ToString(), chosen);
        }
    }

    private static readonly string[] FirstNames =
    [
        "Amara", "Bastian", "Chiara", "Dmitri", "Elif", "Farid", "Greta", "Hiroshi", "Ines", "Jonas", "Kalani", "Leona",
        "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosalind", "Soren", "Talia", "Umar", "Vera", "Wendell",
        "Ximena", "Yusuf", "Zofia"
    ];

    private static readonly string[] LastNames =
    [
        "Abernathy", "Brightwater", "Castellano", "Dunmore", "Eskildsen", "Fairbanks", "Galloway", "Hollis", "Ivanova",
        "Jablonski", "Kettering", "Lindqvist", "Marchetti", "Novak", "Okafor", "Pemberton", "Quist", "Rautio",
        "Sandoval", "Thorne", "Underhill", "Valdez", "Whitcombe", "Yamamoto", "Zeller"
    ];

    private static readonly string[] Cities =
    [
        "Lisbon", "Tartu", "Valparaíso", "Kraków", "Nagoya", "Leeds", "Bergen", "Porto Alegre", "Ghent", "Tampere",
        "Durban", "Cork", "Trieste", "Brno", "Quebec City", "Aarhus", "Bilbao", "Lyon", "Adelaide", "Kyoto"
    ];

    private static readonly string[] Professions =
    [
        "marine biologist", "architect", "violinist", "civil engineer", "cartographer", "pastry chef", "astronomer",
        "journalist", "botanist", "sculptor", "glassblower", "translator"
    ];

    private static readonly string[] Universities =
    [
        "the University of Eastmoor", "Halvorsen Institute of Technology", "the Royal College of Westbrook",
        "Calder University", "the Ashgrove Conservatory", "Meridian State University"
    ];

    private static readonly string[] Awards =
    [
        "the Golden Quill", "the Harland Medal", "the Silver Compass Prize", "the Beaumont Fellowship",
        "the Orion Award"
    ];

    private static (string Context, List<(string Question, QaAnswer Answer)> Questions) Biographies(Random random)
    {
        var b = new ParagraphBuilder(random);
        var people = Enumerable.Range(0, random.Next(2, 4)).Select(_ => $"{b.Pick(FirstNames)} {b.Pick(LastNames)}").Distinct().ToList();
        foreach (var person in people)
        {
            var facts = new List<Action>
            {
                () =>
                {
                    if (random.Next(2) == 0)
                    {
                        b.Text($"{person} was born in ");
                        var city = b.Fact(b.Pick(Cities));
                        b.Text(" in ");
                        var year = b.Fact(random.Next(1921, 1999).ToString());
                        b.Text(". ");
                        b.Ask(city, $"Where was {person} born?", $"In which city was {person} born?", $"What is the birthplace of {person}?");
                        b.Ask(year, $"When was {person} born?", $"In what year was {person} born?", $"What year was {person} born in?");
                    }
                    else
                    {
                        b.Text("Born in ");
                        var year = b.Fact(random.Next(1921, 1999).ToString());
                        b.Text(", ");
                        b.Text($"{person} grew up in ");
                        var city = b.Fact(b.Pick(Cities));
                        b.Text(". ");
                        b.Ask(city, $"Where did {person} grow up?", $"In which city did {person} spend their childhood?");
                        b.Ask(year, $"When was {person} born?", $"In what year was {person} born?");
                    }
                },
                () =>
                {
                    b.Text(b.Pick(new[]
                    {
                        $"{person} worked as a ", $"By profession, {person} was a ", $"For most of their career {person} was a ",
                    }));
                    var job = b.Fact(b.Pick(Professions));
                    b.Text(". ");
                    b.Ask(job, $"What did {person} work as?", $"What was the profession of {person}?", $"What was {person}'s occupation?");
                },
                () =>
                {
                    b.Text(b.Pick(new[] { $"{person} studied at ", $"{person} graduated from ", $"After school, {person} enrolled at " }));
                    var university = b.Fact(b.Pick(Universities));
                    b.Text(". ");
                    b.Ask(university,
                        $"Where did {person} study?", $"Which university did {person} attend?", $"From which institution did {person} graduate?");
                },
                () =>
                {
                    b.Text($"In {random.Next(1960, 2024)}, {person} received ");
                    var award = b.Fact(b.Pick(Awards));
                    b.Text(". ");
                    b.Ask(award, $"Which award did {person} receive?", $"What prize was given to {person}?", $"Which honour did {person} win?");
                },
            };
            foreach (var fact in facts.OrderBy(_ => random.Next()).Take(random.Next(2, 5))) fact();
        }
        return b.Build();
    }

    private static readonly string[] Brands =
    [
        "Voltra", "Kestrel", "Lumio", "Northwind", "Arcadia", "Peregrine", "Solace", "Tundra", "Zephyr", "Quasar"
    ];

    private static readonly string[] Kinds =
    [
        "headphones", "e-reader", "blender", "drone", "smartwatch", "espresso machine", "projector", "robot vacuum"
    ];

    private static readonly string[] Colors = ["matte black", "arctic white", "forest green", "coral red", "slate grey", "midnight blue"];
    private static readonly string[] Countries = ["Finland", "South Korea", "Portugal", "Canada", "Taiwan", "Switzerland", "Chile", "Estonia"];

    private static (string Context, List<(string Question, QaAnswer Answer)> Questions) Products(Random random)
    {
        var b = new ParagraphBuilder(random);
        var kind = b.Pick(Kinds);
        var products = Enumerable.Range(0, random.Next(2, 4))
            .Select(_ => $"{b.Pick(Brands)} {(char)('A' + random.Next(26))}{random.Next(1, 10) * 100}")
            .Distinct().ToList();
        b.Text($"A comparison of {products.Count} {kind} models. ");
        foreach (var product in products)
        {
            var facts = new List<Action>
            {
                () =>
                {
                    b.Text(b.Pick(new[] { $"The {product} costs ", $"The {product} is priced at ", $"You can buy the {product} for " }));
                    var price = b.Fact($"${random.Next(19, 900)}");
                    b.Text(". ");
                    b.Ask(price, $"How much does the {product} cost?", $"What is the price of the {product}?", $"What does the {product} sell for?");
                },
                () =>
                {
                    b.Text($"It weighs ");
                    var weight = b.Fact($"{random.Next(1, 40) / 10.0:0.0} kg");
                    b.Text($" (the {product}, that is). ");
                    b.Ask(weight, $"How heavy is the {product}?", $"What does the {product} weigh?", $"What is the weight of the {product}?");
                },
                () =>
                {
                    b.Text($"On a full charge the battery of the {product} lasts ");
                    var hours = b.Fact($"{random.Next(2, 60)} hours");
                    b.Text(". ");
                    b.Ask(hours, $"How long does the battery of the {product} last?", $"What is the battery life of the {product}?");
                },
                () =>
                {
                    b.Text($"The {product} comes in ");
                    var color = b.Fact(b.Pick(Colors));
                    b.Text(". ");
                    b.Ask(color, $"What color is the {product}?", $"In which colour is the {product} sold?");
                },
                () =>
                {
                    b.Text($"It is made in ");
                    var country = b.Fact(b.Pick(Countries));
                    b.Text($", where the {product} has been assembled since {random.Next(2009, 2025)}. ");
                    b.Ask(country, $"Where is the {product} made?", $"In which country is the {product} manufactured?");
                },
            };
            foreach (var fact in facts.OrderBy(_ => random.Next()).Take(random.Next(2, 5))) fact();
        }
        return b.Build();
    }

    private static readonly string[] CompoundStems =
    [
        "norval", "quintar", "bexol", "fendrite", "halcyon", "merox", "tyrell", "zorac", "plumbat", "cerulix"
    ];

    private static readonly string[] CompoundEndings = ["ene", "ide", "ate", "ine", "ol"];

    private static readonly string[] Uses =
    [
        "a solvent for resins", "a food preservative", "a rocket propellant", "a dye for wool",
        "a catalyst in refining", "a coolant in reactors"
    ];

    private static (string Context, List<(string Question, QaAnswer Answer)> Questions) Chemistry(Random random)
    {
        var b = new ParagraphBuilder(random);
        var compounds = Enumerable.Range(0, random.Next(2, 4))
            .Select(_ => Capitalize(b.Pick(CompoundStems) + b.Pick(CompoundEndings))).Distinct().ToList();
        foreach (var compound in compounds)
        {
            var facts = new List<Action>
            {
                () =>
                {
                    b.Text($"{compound} has the formula ");
                    var formula = b.Fact($"C{random.Next(2, 20)}H{random.Next(2, 40)}{b.Pick(new[] { "O", "N", "O2", "Cl", "S" })}");
                    b.Text(". ");
                    b.Ask(formula, $"What is the chemical formula of {compound}?", $"What is the formula of {compound}?");
                },
                () =>
                {
                    b.Text(b.Pick(new[] { $"{compound} boils at ", $"The boiling point of {compound} is " }));
                    var boiling = b.Fact($"{random.Next(-80, 400)} °C");
                    b.Text(". ");
                    b.Ask(boiling, $"At what temperature does {compound} boil?", $"What is the boiling point of {compound}?");
                },
                () =>
                {
                    b.Text($"{compound} was first synthesised in ");
                    var year = b.Fact(random.Next(1820, 2020).ToString());
                    b.Text(" by ");
                    var chemist = b.Fact($"{b.Pick(FirstNames)} {b.Pick(LastNames)}");
                    b.Text(". ");
                    b.Ask(year, $"When was {compound} first synthesised?", $"In which year was {compound} first made?");
                    b.Ask(chemist, $"Who first synthesised {compound}?", $"Which chemist first made {compound}?");
                },
                () =>
                {
                    b.Text($"Today {compound} is mainly used as ");
                    var use = b.Fact(b.Pick(Uses));
                    b.Text(". ");
                    b.Ask(use, $"What is {compound} used for?", $"What is the main use of {compound}?");
                },
            };
            foreach (var fact in facts.OrderBy(_ => random.Next()).Take(random.Next(2, 5))) fact();
        }
        return b.Build();
    }

    private static readonly string[] Teams =
    [
        "Harbour City Herons", "Redmoor Rovers", "Eastvale Eagles", "Kingsport Comets", "Millbrook Mariners",
        "Stonegate United", "Westlake Wolves", "Ashford Athletic"
    ];

    private static readonly string[] Venues = ["Riverside Park", "the Old Foundry Ground", "Lakeshore Arena", "Cromwell Stadium", "the Beacon Dome"];

    private static readonly string[] Months =
    [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December"
    ];

    private static (string Context, List<(string Question, QaAnswer Answer)> Questions) Sports(Random random)
    {
        var b = new ParagraphBuilder(random);
        b.Text($"Results from round {random.Next(1, 30)} of the {b.Pick(new[] { "Northern League", "Coastal Cup", "Premier Division" })}. ");
        var teams = Teams.OrderBy(_ => random.Next()).ToList();
        int matches = random.Next(2, 4);
        for (int m = 0; m < matches; m++)
        {
            string winner = teams[2 * m], loser = teams[2 * m + 1];
            int goals = random.Next(1, 6);
            b.Text($"The {winner} beat the {loser} ");
            var score = b.Fact($"{goals}-{random.Next(0, goals)}");
            b.Text(" at ");
            var venue = b.Fact(b.Pick(Venues));
            b.Text(" on ");
            var date = b.Fact($"{random.Next(1, 29)} {b.Pick(Months)}");
            b.Text(". ");
            b.Text(b.Pick(new[] { "The decisive goal came from ", "The winner was scored by " }));
            var scorer = b.Fact($"{b.Pick(FirstNames)} {b.Pick(LastNames)}");
            b.Text(" in the ");
            var minute = b.Fact($"{random.Next(2, 91)}th minute");
            b.Text(". ");
            b.Ask(score, $"What was the score when the {winner} played the {loser}?", $"By what score did the {winner} beat the {loser}?");
            b.Ask(venue, $"Where did the {winner} play the {loser}?", $"At which ground did the {winner} face the {loser}?");
            b.Ask(date, $"When did the {winner} beat the {loser}?", $"On what date did the {loser} lose to the {winner}?");
            b.Ask(scorer, $"Who scored the decisive goal for the {winner}?", $"Which player scored the winner for the {winner}?");
            b.Ask(minute, $"In which minute did the {winner} score their winning goal?", $"When was the winning goal for the {winner} scored?");
        }
        return b.Build();
    }

    private static string Capitalize(string word) => char.ToUpperInvariant(word[0]) + word[1..];
}
