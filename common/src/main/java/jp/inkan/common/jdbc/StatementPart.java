package jp.inkan.common.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * One SQL statement with its parameter values, to be sent together with others as one
 * multi-statement {@link PreparedStatement}: PostgreSQL's driver sends them all before a single
 * sync, so a transaction that writes three tables pays one round trip instead of three, and each
 * statement still runs (and takes its snapshot) after the one before it.
 */
public interface StatementPart {

    /** The statement, with {@code ?} placeholders and no trailing semicolon. */
    String sql();

    /** Sets this statement's parameters from index {@code first} on; returns the next free index. */
    int bind(PreparedStatement statement, int first) throws SQLException;

    /**
     * {@code insertHead} (ending in {@code values}) followed by {@code rows} copies of {@code row},
     * comma-separated: a multi-row insert of one shape for any number of rows.
     */
    static String multiRowInsert(String insertHead, String row, int rows) {
        StringBuilder sql = new StringBuilder(insertHead.length() + rows * (row.length() + 2)).append(insertHead);
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? " " : ", ").append(row);
        }
        return sql.toString();
    }

    /**
     * Like {@link #multiRowInsert}, but the rows go in only where {@code condition} holds:
     * {@code insert into t (a, b) select * from (values (?, ?), …) as v where condition}. The
     * condition's parameters follow the rows'. {@code insertInto} is the head without {@code values}.
     */
    static String multiRowInsertWhere(String insertInto, String row, int rows, String condition) {
        return multiRowInsert(insertInto + " select * from (values", row, rows) + ") as v where " + condition;
    }

    /** The parts joined into one statement text; bind them in the same order. */
    static String joined(StatementPart... parts) {
        StringBuilder sql = new StringBuilder();
        for (StatementPart part : parts) {
            sql.append(sql.isEmpty() ? "" : ";\n").append(part.sql());
        }
        return sql.toString();
    }

    /** Binds every part in order, from parameter 1. */
    static void bindAll(PreparedStatement statement, StatementPart... parts) throws SQLException {
        int next = 1;
        for (StatementPart part : parts) {
            next = part.bind(statement, next);
        }
    }
}
