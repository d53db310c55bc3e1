package jp.inkan.ca.municipality;

/** A municipality that issues cards; its names appear in subjects and CRL distribution points. */
public record Municipality(String code, String prefecture, String name) {
}
