package jp.inkan.common.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StatementPartTest {

    @Test
    void aConditionalMultiRowInsertSelectsTheRowsWhereTheConditionHolds() {
        assertEquals("insert into t (a, b) select * from (values (?, ?), (?, ?)) as v where (select 1) = ?",
                StatementPart.multiRowInsertWhere("insert into t (a, b)", "(?, ?)", 2, "(select 1) = ?"));
    }

    @Test
    void multiRowInsertRepeatsTheRowCommaSeparated() {
        assertEquals("insert into t (a, b) values (?, ?)", StatementPart.multiRowInsert("insert into t (a, b) values", "(?, ?)", 1));
        assertEquals("insert into t (a, b) values (?, 'x'), (?, 'x'), (?, 'x')",
                StatementPart.multiRowInsert("insert into t (a, b) values", "(?, 'x')", 3));
    }
}
