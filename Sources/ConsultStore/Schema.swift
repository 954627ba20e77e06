/// The record schema, one for both stores, and its versioned migrations. A store records each
/// version applied in `schema_version`; `RecordStore.migrate()` applies what is missing, in one
/// transaction per run, under a lock, so that two programs starting at once do it once.
enum Schema {
    /// The version this program writes and reads.
    static let version = 3

    /// The statements of each version, in order.
    static func migrations(_ dialect: SQLDialect) -> [(version: Int, statements: [String])] {
        let int = dialect == .postgres ? "BIGINT" : "INTEGER"
        let blob = dialect == .postgres ? "BYTEA" : "BLOB"
        let serial = dialect == .postgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"
        return [
            (
                1,
                [
                    // One row per consultation: what staff list and filter on, kept up to date as its
                    // events arrive. The events themselves are the record.
                    """
                    CREATE TABLE transcripts (
                        id TEXT PRIMARY KEY, started TEXT NOT NULL DEFAULT '', day TEXT NOT NULL DEFAULT '',
                        channel TEXT NOT NULL DEFAULT '', language TEXT NOT NULL DEFAULT '',
                        office TEXT NOT NULL DEFAULT '', host TEXT NOT NULL DEFAULT '',
                        end_reason TEXT, outcomes TEXT NOT NULL DEFAULT '', urgent \(int) NOT NULL DEFAULT 0,
                        events \(int) NOT NULL DEFAULT 0)
                    """,
                    // Each line exactly as the consultation wrote it (the bytes its hash covers), keyed
                    // by the transcript and the line's number: forwarding twice stores it once.
                    """
                    CREATE TABLE events (
                        transcript TEXT NOT NULL, line \(int) NOT NULL, bytes \(blob) NOT NULL, hash TEXT NOT NULL,
                        complete \(int) NOT NULL DEFAULT 1, PRIMARY KEY (transcript, line))
                    """,
                    "CREATE TABLE transcript_outcomes (transcript TEXT NOT NULL, outcome TEXT NOT NULL, PRIMARY KEY (transcript, outcome))",
                    // Each request's document exactly as saved.
                    """
                    CREATE TABLE appointments (
                        reference TEXT PRIMARY KEY, transcript TEXT, created TEXT NOT NULL, day TEXT NOT NULL,
                        urgent \(int) NOT NULL DEFAULT 0, channel TEXT NOT NULL DEFAULT '',
                        office TEXT NOT NULL DEFAULT '', host TEXT NOT NULL DEFAULT '',
                        document \(blob) NOT NULL, hash TEXT NOT NULL)
                    """,
                    "CREATE INDEX transcripts_started ON transcripts (started)",
                    "CREATE INDEX transcripts_day ON transcripts (day)",
                    "CREATE INDEX transcripts_end_reason ON transcripts (end_reason)",
                    "CREATE INDEX transcripts_urgent ON transcripts (urgent)",
                    "CREATE INDEX transcripts_channel ON transcripts (channel)",
                    "CREATE INDEX transcripts_office ON transcripts (office)",
                    "CREATE INDEX transcripts_host ON transcripts (host)",
                    "CREATE INDEX transcript_outcomes_outcome ON transcript_outcomes (outcome)",
                    "CREATE INDEX appointments_created ON appointments (created)",
                    "CREATE INDEX appointments_transcript ON appointments (transcript)",
                ]
            ),
            (
                2,
                [
                    // What was purged or erased, by whom, when and why: never the personal data itself.
                    """
                    CREATE TABLE audit (
                        id \(serial), at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                        target TEXT NOT NULL, reason TEXT NOT NULL, office TEXT NOT NULL DEFAULT '', host TEXT NOT NULL DEFAULT '')
                    """
                ]
            ),
            (
                3,
                [
                    // Sealed records (issue 13): a row that says only what is in the clear, so that
                    // lists can say "sealed" rather than show empty outcomes.
                    "ALTER TABLE transcripts ADD COLUMN sealed \(int) NOT NULL DEFAULT 0",
                    "ALTER TABLE appointments ADD COLUMN sealed \(int) NOT NULL DEFAULT 0",
                ]
            ),
        ]
    }
}
