package dev.tandem.actuate;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * Tandem's observations.
 */
public enum RouteObservationDocumentation implements ObservationDocumentation {

	/**
	 * One routed physical connection, from the moment it is handed out (the first
	 * statement of a transaction, or of work without one) until it is closed (the end of
	 * the transaction): where it ran and why. Named {@code tandem.route}; its contextual
	 * (span) name is {@code tandem primary} or {@code tandem standby}.
	 */
	ROUTE {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultRouteObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return LowCardinalityKeyNames.values();
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return HighCardinalityKeyNames.values();
		}

	};

	/**
	 * Low-cardinality keys: each value comes from a small fixed set.
	 */
	public enum LowCardinalityKeyNames implements KeyName {

		/** Where the connection went: {@code primary} or {@code standby}. */
		TARGET {

			@Override
			public String asString() {
				return "target";
			}

		},

		/**
		 * Why it went there: {@code write}, {@code no-transaction},
		 * {@code read-from-primary}, {@code read-only}, {@code zone}, {@code other-zone},
		 * {@code target}, {@code no-standby}, {@code primary-down}, {@code marker},
		 * {@code causal-token} or {@code marker-store} (see
		 * {@link dev.tandem.routing.RouteReason}).
		 */
		REASON {

			@Override
			public String asString() {
				return "reason";
			}

		},

		/** The consistency mode: {@code lsn}, {@code ttl} or {@code off}. */
		MODE {

			@Override
			public String asString() {
				return "mode";
			}

		}

	}

	/**
	 * High-cardinality keys: on spans, not on meters.
	 */
	public enum HighCardinalityKeyNames implements KeyName {

		/**
		 * The node that served the connection, {@code host:port} as the URL names it
		 * ({@code [v6]:port} for an IPv6 address); behind a load-balanced endpoint, the
		 * server the connection reached; {@code unknown} when not known.
		 */
		NODE {

			@Override
			public String asString() {
				return "node";
			}

		}

	}

}
