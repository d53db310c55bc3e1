package jp.inkan.common.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * One transaction on a plain JDBC connection of its own, for the paths that keep their SQL (and
 * their row locks) in their hands rather than in Panache: committed when the work returns, rolled
 * back when it throws, and the pooled connection handed back in auto-commit mode.
 */
public final class JdbcTransactions {

    @FunctionalInterface
    public interface Work<T> {
        T in(Connection connection) throws SQLException;
    }

    private JdbcTransactions() {
    }

    /** {@code unavailable} turns a database failure into the caller's typed error; the work's own errors pass through. */
    public static <T> T inTransaction(DataSource dataSource, Work<T> work,
                                      Function<SQLException, ? extends RuntimeException> unavailable) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.in(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw unavailable.apply(e);
        }
    }
}
