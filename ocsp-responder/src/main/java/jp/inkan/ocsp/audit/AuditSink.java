package jp.inkan.ocsp.audit;

/** Where the responder's parts report what they audit (the audit file in the service; nothing in unit tests). */
public interface AuditSink {

    AuditSink NONE = (event, subject, detail) -> { };

    void record(String event, String subject, String detail);
}
