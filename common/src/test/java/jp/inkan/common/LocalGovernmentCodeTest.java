package jp.inkan.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalGovernmentCodeTest {

    @ParameterizedTest
    @ValueSource(strings = {"131016", "131041", "011002", "271004", "141003"})
    void acceptsPublishedCodes(String code) {
        assertEquals(code, new LocalGovernmentCode(code).value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"131017", "131040", "011000", "271005"})
    void rejectsWrongCheckDigit(String code) {
        assertEquals("check digit does not match", LocalGovernmentCode.problemWith(code).orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> new LocalGovernmentCode(code));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "13101", "1310166", "13101a", "１３１０１６"})
    void rejectsMalformed(String code) {
        assertEquals("must be 6 digits", LocalGovernmentCode.problemWith(code).orElseThrow());
    }

    @org.junit.jupiter.api.Test
    void checkDigitTenWrapsToZero() {
        // sum mod 11 == 1 gives 11 - 1 = 10, which the formula folds to 0.
        // 0,0,0,0,3: 2*3 = 6 -> 5; 0,0,0,1,2: 3+4=7 -> 4; 1,0,0,0,1: 6+2=8 -> 3; 0,0,1,1,1: 4+3+2=9 -> 2;
        // 0,0,2,1,0: 8+3=11 -> (11-0)%10 = 1; 0,2,0,0,0: 10 -> 1 ... 0,0,0,0,6: 12 mod 11 = 1 -> 0
        assertEquals(0, LocalGovernmentCode.checkDigit("000060"));
        assertTrue(LocalGovernmentCode.problemWith("000060").isEmpty());
    }
}
