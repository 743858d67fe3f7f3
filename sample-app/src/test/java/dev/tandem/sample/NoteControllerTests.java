package dev.tandem.sample;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import static org.hamcrest.Matchers.containsString;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * How {@link NoteController} answers requests it cannot take; no database needed.
 */
@WebMvcTest(NoteController.class)
class NoteControllerTests {

	@Autowired
	private MockMvc mvc;

	@MockitoBean
	private NoteService notes;

	@Test
	void aMalformedJsonBodyIsABadRequestWithAMessage() throws Exception {
		// Issue 13, item 15: answered with 500.
		this.mvc.perform(post("/notes").contentType(MediaType.APPLICATION_JSON).content("{\"body\": "))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.error", containsString("JSON")));
		verifyNoInteractions(this.notes);
	}

	@Test
	void aNoteWithoutABodyIsABadRequestWithAMessage() throws Exception {
		this.mvc.perform(post("/notes").contentType(MediaType.APPLICATION_JSON).content("{}"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.error", containsString("body")));
		verifyNoInteractions(this.notes);
	}

}
