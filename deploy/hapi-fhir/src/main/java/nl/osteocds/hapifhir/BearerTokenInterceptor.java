package nl.osteocds.hapifhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Every request but {@code metadata} must carry {@code Authorization: Bearer <the configured token>}; otherwise
 * HAPI answers 401 with an OperationOutcome and a {@code WWW-Authenticate: Bearer} challenge. The token is
 * compared in constant time and never logged.
 */
@Interceptor
public class BearerTokenInterceptor {

	private final byte[] expected;

	public BearerTokenInterceptor(String token) {
		this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void requireBearerToken(RequestDetails request) {
		if (request.getRestOperationType() == RestOperationTypeEnum.METADATA) {
			return;
		}
		String given = request.getHeader("Authorization");
		byte[] actual = given == null ? new byte[0] : given.getBytes(StandardCharsets.UTF_8);
		if (!MessageDigest.isEqual(expected, actual)) {
			AuthenticationException refused = new AuthenticationException("Missing or invalid bearer token");
			refused.addResponseHeader("WWW-Authenticate", "Bearer");
			throw refused;
		}
	}
}
