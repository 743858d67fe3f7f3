package dev.tandem.routing;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.tandem.ReadZone;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Takes the zone of each request from a header ({@code tandem.reads.zone-header}, for
 * example set by a CDN or a gateway): the request's reads prefer that zone's standbys. A
 * value that names no zone is ignored (logged at DEBUG), and the instance's own zone
 * applies.
 */
public class ZoneHeaderFilter extends OncePerRequestFilter implements Ordered {

	private static final Logger logger = LoggerFactory.getLogger(ZoneHeaderFilter.class);

	private final String header;

	private final ReadZones zones;

	/**
	 * Creates the filter.
	 * @param header the header's name
	 * @param zones the zones configured
	 */
	public ZoneHeaderFilter(String header, ReadZones zones) {
		this.header = header;
		this.zones = zones;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String value = request.getHeader(this.header);
		String zone = (value != null) ? value.trim() : null;
		if (zone == null || zone.isEmpty()) {
			chain.doFilter(request, response);
			return;
		}
		if (!this.zones.contains(zone)) {
			if (logger.isDebugEnabled()) {
				logger.debug("Ignoring header {}: '{}' names no zone of tandem.zones {}", this.header,
						(zone.length() > 64) ? zone.substring(0, 64) + "..." : zone, this.zones.names());
			}
			chain.doFilter(request, response);
			return;
		}
		try {
			ReadZone.callWith(zone, () -> {
				chain.doFilter(request, response);
				return null;
			});
		}
		catch (ServletException | IOException | RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new ServletException(ex);
		}
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 20;
	}

}
