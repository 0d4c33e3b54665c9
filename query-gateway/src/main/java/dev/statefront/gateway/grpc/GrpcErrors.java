package dev.statefront.gateway.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.statefront.gateway.query.QueryException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place failures become gRPC statuses: {@link QueryException} codes map to status codes, with a
 * {@code google.rpc.ErrorInfo} (domain {@value #DOMAIN}, the reason and identifiers) and, for bad input, a
 * {@code google.rpc.BadRequest} naming each bad field.
 */
public final class GrpcErrors {
    /** The ErrorInfo domain of Statefront's errors. */
    public static final String DOMAIN = "statefront.dev";
    private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

    private GrpcErrors() {
    }

    /** The status exception answering a failure; unexpected exceptions become INTERNAL (and are logged). */
    public static StatusRuntimeException toStatus(Throwable t) {
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        if (!(t instanceof QueryException q)) {
            LOG.error("gRPC call failed", t);
            return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                    .setCode(Code.INTERNAL_VALUE).setMessage("internal error: " + t).build());
        }
        Code code = switch (q.code()) {
            case INVALID_ARGUMENT -> Code.INVALID_ARGUMENT;
            case NOT_FOUND -> Code.NOT_FOUND;
            case NOT_UP_TO_POSITION -> Code.FAILED_PRECONDITION;
            case UNAVAILABLE -> Code.UNAVAILABLE;
            case PAYLOAD_TOO_LARGE -> Code.RESOURCE_EXHAUSTED;
        };
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(code.getNumber())
                .setMessage(q.getMessage() == null ? q.reason() : q.getMessage());
        status.addDetails(Any.pack(ErrorInfo.newBuilder().setDomain(DOMAIN).setReason(q.reason())
                .putAllMetadata(q.metadata()).build()));
        if (!q.violations().isEmpty()) {
            BadRequest.Builder bad = BadRequest.newBuilder();
            for (QueryException.FieldViolation v : q.violations()) {
                bad.addFieldViolationsBuilder().setField(v.field()).setDescription(v.description());
            }
            status.addDetails(Any.pack(bad.build()));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }
}
