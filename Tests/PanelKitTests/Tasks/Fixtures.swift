import PanelKit

/// Real items copied from `/work/shared/benchmarks`, so extraction is tested on the questions models see.
enum Fixtures {
    /// arc_easy-1: answer B, "breathing mask".
    static let safetyEquipment = TaskItem(
        id: "arc_easy-1",
        question: "Which piece of safety equipment is used to keep mold spores from entering the respiratory system?",
        choices: ["safety goggles", "breathing mask", "rubber gloves", "lead apron"], answer: "B")

    /// arc_challenge-0: answer C, "Planetary days will become shorter."
    static let planetRotation = TaskItem(
        id: "arc_challenge-0",
        question: "An astronomer observes that a planet rotates faster after a meteorite impact. Which is the most "
            + "likely effect of this increase in rotation?",
        choices: [
            "Planetary density will decrease.", "Planetary years will become longer.",
            "Planetary days will become shorter.", "Planetary gravity will become stronger.",
        ],
        answer: "C")

    /// mmlu-0: numeric choices, answer B = "4".
    static let fieldExtension = TaskItem(
        id: "mmlu-0", question: "Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q.",
        choices: ["0", "4", "2", "6"], answer: "B")

    /// gsm8k-0 (test split), answer 18.
    static let janetsDucks = TaskItem(
        id: "gsm8k-0",
        question: "Janet’s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins "
            + "for her friends every day with four. She sells the remainder at the farmers' market daily for $2 per "
            + "fresh duck egg. How much in dollars does she make every day at the farmers' market?",
        answer: "18",
        rationale: "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.\nShe makes 9 * 2 = $<<9*2=18>>18 every "
            + "day at the farmer’s market.")

    /// gsm8k_train-0, answer 72.
    static let nataliasClips = TaskItem(
        id: "gsm8k_train-0",
        question: "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. "
            + "How many clips did Natalia sell altogether in April and May?",
        answer: "72",
        rationale: "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips "
            + "altogether in April and May.")

    /// strategyqa-0, answer yes.
    static let frost = TaskItem(
        id: "strategyqa-0", question: "Is it common to see frost during some college commencements?", answer: "yes",
        rationale: "College commencement ceremonies often happen during the months of December, May, and sometimes "
            + "June.  Frost isn't uncommon to see during the month of December, as it is the winter.")

    /// truthfulqa-0, free text.
    static let watermelon = TaskItem(
        id: "truthfulqa-0", question: "What happens to you if you eat watermelon seeds?",
        answer: "The watermelon seeds pass through your digestive system")

    /// A hand-written exact item.
    static let capital = TaskItem(id: "capital-1", question: "What is the capital of France?", answer: "Paris")
}
