package jp.inkan.common.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StatementPartTest {

    @Test
    void multiRowInsertRepeatsTheRowCommaSeparated() {
        assertEquals("insert into t (a, b) values (?, ?)", StatementPart.multiRowInsert("insert into t (a, b) values", "(?, ?)", 1));
        assertEquals("insert into t (a, b) values (?, 'x'), (?, 'x'), (?, 'x')",
                StatementPart.multiRowInsert("insert into t (a, b) values", "(?, 'x')", 3));
    }
}
